using System.Diagnostics;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace EmbeddedPython.DependencyInjection;

/// <summary>Healthy while the interpreter serves; unhealthy when Python failed to start or stopped, or when
/// one request has held the interpreter thread well past its time limit (code stuck in native code).</summary>
internal sealed class PythonExecutorHealthCheck(PythonExecutor executor) : IHealthCheck
{
    private static readonly TimeSpan StuckAfter = TimeSpan.FromSeconds(10);

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var interpreter = executor.Interpreter;
        var lease = executor.Lease;
        var data = new Dictionary<string, object> { ["queueLength"] = lease.Queue.Reader.Count };
        if (lease.StartupError is { } error)
            return Task.FromResult(HealthCheckResult.Unhealthy($"Python could not be started: {error.Message}", error, data));
        if (!lease.Started.IsCompleted)
            return Task.FromResult(HealthCheckResult.Degraded("Python is starting.", data: data));
        if (lease.IsClosing)
            return Task.FromResult(HealthCheckResult.Unhealthy("The executor was disposed.", data: data));
        if (interpreter.IsStopped)
            return Task.FromResult(HealthCheckResult.Unhealthy("The interpreter has stopped (Python was shut down).", data: data));
        var (request, started) = interpreter.Current;
        if (request is not null && request.IsInterrupted && Stopwatch.GetElapsedTime(started) > StuckAfter)
            return Task.FromResult(HealthCheckResult.Unhealthy(
                $"Request {request.Id} was interrupted but still holds the interpreter thread after {Stopwatch.GetElapsedTime(started):g}: it is probably stuck in native code.", data: data));
        data["pythonVersion"] = executor.PythonVersion ?? "";
        return Task.FromResult(HealthCheckResult.Healthy("The interpreter is serving.", data));
    }
}

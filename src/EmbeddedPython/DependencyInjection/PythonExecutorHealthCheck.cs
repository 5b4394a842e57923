using System.Diagnostics;
using EmbeddedPython.Execution;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace EmbeddedPython.DependencyInjection;

/// <summary>Healthy while every interpreter of the executor serves; unhealthy when Python failed to start or
/// stopped, or when one request has held an interpreter thread well past its time limit (code stuck in native
/// code). With several interpreters the worst of them is reported, naming it.</summary>
internal sealed class PythonExecutorHealthCheck(PythonExecutor executor) : IHealthCheck
{
    private static readonly TimeSpan StuckAfter = TimeSpan.FromSeconds(10);

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var leases = executor.Leases;
        var data = new Dictionary<string, object> { ["queueLength"] = leases.Sum(lease => lease.Queue.Reader.Count) };
        foreach (var lease in leases)
        {
            if (Check(lease, leases.Count > 1 ? $" ({lease.Interpreter.Name} interpreter)" : "", data) is { } unwell)
                return Task.FromResult(unwell);
        }
        data["pythonVersion"] = executor.PythonVersion ?? "";
        return Task.FromResult(HealthCheckResult.Healthy(leases.Count > 1 ? $"The {leases.Count} interpreters are serving." : "The interpreter is serving.", data));
    }

    private static HealthCheckResult? Check(ExecutorLease lease, string which, Dictionary<string, object> data)
    {
        var interpreter = lease.Interpreter;
        if (lease.StartupError is { } error)
            return HealthCheckResult.Unhealthy($"Python could not be started{which}: {error.Message}", error, data);
        if (!lease.Started.IsCompleted)
            return HealthCheckResult.Degraded($"Python is starting{which}.", data: data);
        if (lease.IsClosing)
            return HealthCheckResult.Unhealthy("The executor was disposed.", data: data);
        if (interpreter.IsStopped)
            return HealthCheckResult.Unhealthy($"The interpreter has stopped (Python was shut down){which}.", data: data);
        var (request, started) = interpreter.Current;
        if (request is not null && request.IsInterrupted && Stopwatch.GetElapsedTime(started) > StuckAfter)
            return HealthCheckResult.Unhealthy(
                $"Request {request.Id} was interrupted but still holds the interpreter thread{which} after {Stopwatch.GetElapsedTime(started):g}: it is probably stuck in native code.", data: data);
        return null;
    }
}

using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using HealthStatus = EmbeddedPython.Grpc.V1.HealthResponse.Types.Status;

namespace EmbeddedPython.Grpc.Executor;

/// <summary>What the Health call reports: the interpreter's health check, calls in flight, uptime.</summary>
internal sealed class ExecutorServiceState(HealthCheckService health)
{
    private readonly long _started = Stopwatch.GetTimestamp();
    private int _running;

    public int Running => Volatile.Read(ref _running);

    public TimeSpan Uptime => Stopwatch.GetElapsedTime(_started);

    public Scope Enter()
    {
        Interlocked.Increment(ref _running);
        return new Scope(this);
    }

    /// <summary>The interpreter's state, from the core's health check.</summary>
    public async Task<(HealthStatus Status, string PythonVersion, uint QueueLength)> InterpreterAsync(CancellationToken cancellationToken)
    {
        var report = await health.CheckHealthAsync(c => c.Name == PythonGrpcServiceCollectionExtensions.PythonHealthCheckName, cancellationToken);
        if (!report.Entries.TryGetValue(PythonGrpcServiceCollectionExtensions.PythonHealthCheckName, out var entry))
            return (HealthStatus.NotServing, "", 0);
        var status = entry.Status switch
        {
            Microsoft.Extensions.Diagnostics.HealthChecks.HealthStatus.Healthy => HealthStatus.Serving,
            Microsoft.Extensions.Diagnostics.HealthChecks.HealthStatus.Degraded => HealthStatus.Starting,
            _ => HealthStatus.NotServing,
        };
        var version = entry.Data.GetValueOrDefault("pythonVersion") as string ?? "";
        var queue = entry.Data.GetValueOrDefault("queueLength") is int length ? (uint)length : 0u;
        return (status, version, queue);
    }

    public readonly struct Scope(ExecutorServiceState state) : IDisposable
    {
        public void Dispose() => Interlocked.Decrement(ref state._running);
    }
}

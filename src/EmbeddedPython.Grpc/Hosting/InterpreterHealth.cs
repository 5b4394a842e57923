using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using HealthStatus = EmbeddedPython.Grpc.V1.HealthResponse.Types.Status;

namespace EmbeddedPython.Grpc.Hosting;

/// <summary>The interpreter's state as the gRPC services report it (the executor's <c>Health</c>, the
/// autokitteh runner's <c>Health</c>), read from the core's health check that
/// <c>AddPythonGrpcServices()</c> registers.</summary>
public sealed class InterpreterHealth
{
    private readonly HealthCheckService _health;

    /// <summary>Reads the health check registered under
    /// <see cref="PythonGrpcServiceCollectionExtensions.PythonHealthCheckName"/>.</summary>
    /// <param name="health">The host's health check service.</param>
    public InterpreterHealth(HealthCheckService health)
    {
        ArgumentNullException.ThrowIfNull(health);
        _health = health;
    }

    /// <summary>Runs the interpreter's health check.</summary>
    /// <param name="cancellationToken">Cancels the check.</param>
    /// <returns>Serving, starting or not serving; the Python version (empty until known); the queue length.</returns>
    public async Task<(HealthStatus Status, string PythonVersion, uint QueueLength)> CheckAsync(CancellationToken cancellationToken = default)
    {
        const string name = PythonGrpcServiceCollectionExtensions.PythonHealthCheckName;
        var report = await _health.CheckHealthAsync(c => c.Name == name, cancellationToken);
        if (!report.Entries.TryGetValue(name, out var entry))
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
}

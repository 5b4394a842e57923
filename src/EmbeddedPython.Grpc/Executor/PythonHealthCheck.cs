using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace EmbeddedPython.Grpc.Executor;

/// <summary>Healthy while the interpreter answers a trivial request within a few seconds; feeds the
/// standard <c>grpc.health.v1.Health</c> service.</summary>
internal sealed class PythonHealthCheck(IPythonExecutor executor) : IHealthCheck
{
    public const string Tag = "python";

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await executor.ExecuteAsync(new PythonRequest
            {
                Code = "pass",
                Name = "embedded_python_grpc.health",
                LimitReturnTo = [],
                Timeout = TimeSpan.FromSeconds(5),
            }, cancellationToken);
            return HealthCheckResult.Healthy();
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return HealthCheckResult.Unhealthy("the Python interpreter does not answer", e);
        }
    }
}

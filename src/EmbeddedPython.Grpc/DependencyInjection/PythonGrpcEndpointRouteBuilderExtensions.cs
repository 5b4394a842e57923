using EmbeddedPython.Grpc.Autokitteh;
using EmbeddedPython.Grpc.Executor;
using Microsoft.AspNetCore.Routing;

// Extension methods on IEndpointRouteBuilder live in the ASP.NET Core namespace, found without a using.
namespace Microsoft.AspNetCore.Builder;

/// <summary>Maps the gRPC endpoints registered by <c>services.AddPythonGrpcServices()</c>.</summary>
public static class PythonGrpcEndpointRouteBuilderExtensions
{
    /// <summary>Maps <c>embeddedpython.executor.v1.PythonExecutor</c>, the standard <c>grpc.health.v1.Health</c>
    /// service and gRPC server reflection.</summary>
    public static IEndpointRouteBuilder MapPythonExecutor(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        endpoints.MapGrpcService<PythonExecutorService>();
        endpoints.MapGrpcHealthChecksService();
        endpoints.MapGrpcReflectionService();
        return endpoints;
    }

    /// <summary>Maps <c>autokitteh.user_code.v1.RunnerService</c>, the service autokitteh's worker drives
    /// (enable the runner with <c>options.Autokitteh.Enabled</c>).</summary>
    public static IEndpointRouteBuilder MapAutokittehRunner(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        endpoints.MapGrpcService<AutokittehRunnerService>();
        return endpoints;
    }
}

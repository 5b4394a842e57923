using EmbeddedPython.Grpc.Executor;
using Microsoft.AspNetCore.Routing;

// Extension methods on IEndpointRouteBuilder live in the ASP.NET Core namespace, found without a using.
namespace Microsoft.AspNetCore.Builder;

/// <summary>Maps the gRPC endpoints registered by <c>services.AddPythonGrpcServices()</c>.</summary>
public static class PythonGrpcEndpointRouteBuilderExtensions
{
    /// <summary>Maps <c>embeddedpython.executor.v1.PythonExecutor</c>, gRPC server reflection and the standard
    /// <c>grpc.health.v1.Health</c> service. The returned builder applies to the executor and reflection (chain
    /// <c>.RequireAuthorization(...)</c>); health stays as mapped, so that probes need no credentials.</summary>
    public static IEndpointConventionBuilder MapPythonExecutor(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var executor = endpoints.MapGrpcService<PythonExecutorService>();
        var reflection = endpoints.MapGrpcReflectionService();
        endpoints.MapGrpcHealthChecksService();
        return new ConventionBuilders(executor, reflection);
    }

    /// <summary>One builder over several mapped services: a convention added here applies to each.</summary>
    private sealed class ConventionBuilders(params IEndpointConventionBuilder[] builders) : IEndpointConventionBuilder
    {
        public void Add(Action<EndpointBuilder> convention)
        {
            foreach (var builder in builders)
                builder.Add(convention);
        }

        public void Finally(Action<EndpointBuilder> finallyConvention)
        {
            foreach (var builder in builders)
                builder.Finally(finallyConvention);
        }
    }
}

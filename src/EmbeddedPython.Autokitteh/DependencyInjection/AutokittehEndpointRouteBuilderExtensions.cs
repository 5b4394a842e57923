using EmbeddedPython.Autokitteh.Hosting;
using Microsoft.AspNetCore.Routing;

// Extension methods on IEndpointRouteBuilder live in the ASP.NET Core namespace, found without a using.
namespace Microsoft.AspNetCore.Builder;

/// <summary>Maps the gRPC endpoint registered by <c>services.AddAutokittehRunner()</c>.</summary>
public static class AutokittehEndpointRouteBuilderExtensions
{
    /// <summary>Maps <c>autokitteh.user_code.v1.RunnerService</c>, the service autokitteh's worker drives (enable
    /// the runner with <c>options.Enabled</c>). Chain <c>.RequireAuthorization(...)</c> when the runner listens
    /// beyond loopback, or the host refuses to start (see <c>EmbeddedPython:Grpc:AllowAnonymous</c>).</summary>
    public static IEndpointConventionBuilder MapAutokittehRunner(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        return endpoints.MapGrpcService<AutokittehRunnerService>();
    }
}

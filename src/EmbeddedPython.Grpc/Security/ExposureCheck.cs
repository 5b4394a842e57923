using System.Net;
using System.Reflection;
using Grpc.AspNetCore.Server;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace EmbeddedPython.Grpc.Security;

/// <summary>
/// Secure by default: once the server listens, fails the host's start when a service marked
/// <see cref="RunsPythonAttribute"/> (the executor service, the autokitteh runner) is reachable beyond loopback
/// and anyone could run code through it (no authorization on its endpoints, no fallback policy), unless
/// <see cref="PythonGrpcOptions.AllowAnonymous"/> says so.
/// </summary>
internal sealed class ExposureCheck(IServiceProvider services, IOptions<PythonGrpcOptions> options) : IHostedLifecycleService
{
    public Task StartedAsync(CancellationToken cancellationToken)
    {
        if (options.Value.AllowAnonymous)
            return Task.CompletedTask;
        var exposed = ExposedAddresses();
        if (exposed.Count == 0)
            return Task.CompletedTask;
        var open = OpenMethods();
        if (open.Count == 0)
            return Task.CompletedTask;
        throw new InvalidOperationException(
            $"A service that runs Python listens on {string.Join(", ", exposed)} (beyond loopback) and anyone who reaches it "
            + $"can run Python: {string.Join(", ", open.Take(3))}{(open.Count > 3 ? ", …" : "")} require no authorization. "
            + "Chain .RequireAuthorization(...) to MapPythonExecutor() or MapAutokittehRunner() (see the package README: mTLS, JWT bearer), set an "
            + $"authorization fallback policy, or set {PythonGrpcOptions.SectionName}:{nameof(PythonGrpcOptions.AllowAnonymous)} = true "
            + "if a boundary of your own protects it.");
    }

    private List<string> ExposedAddresses()
    {
        var addresses = services.GetService<IServer>()?.Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
        return addresses.Where(address => !IsLoopback(address)).ToList();
    }

    private static bool IsLoopback(string address)
    {
        if (!Uri.TryCreate(address.Replace("://+", "://0.0.0.0").Replace("://*", "://0.0.0.0"), UriKind.Absolute, out var uri))
            return false;
        return uri.IsLoopback || (IPAddress.TryParse(uri.Host.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip));
    }

    private List<string> OpenMethods()
    {
        var fallback = services.GetService<IOptions<AuthorizationOptions>>()?.Value.FallbackPolicy;
        var open = new List<string>();
        foreach (var endpoint in services.GetRequiredService<EndpointDataSource>().Endpoints)
        {
            if (endpoint.Metadata.GetMetadata<GrpcMethodMetadata>() is not { } method || method.ServiceType.GetCustomAttribute<RunsPythonAttribute>() is null)
                continue;
            var anonymous = endpoint.Metadata.GetMetadata<IAllowAnonymous>() is not null;
            var authorized = endpoint.Metadata.GetMetadata<IAuthorizeData>() is not null
                || endpoint.Metadata.GetMetadata<AuthorizationPolicy>() is not null
                || fallback is not null;
            if (anonymous || !authorized)
                open.Add((endpoint as RouteEndpoint)?.RoutePattern.RawText ?? endpoint.DisplayName ?? method.Method.FullName);
        }
        return open;
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

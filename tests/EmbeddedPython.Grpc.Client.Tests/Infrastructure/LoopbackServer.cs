using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace EmbeddedPython.Grpc.Client.Tests.Infrastructure;

/// <summary>The executor service on Kestrel, on 127.0.0.1 and a free port, over the shared executor: HTTP/2 without
/// TLS unless <paramref name="listen"/> says otherwise.</summary>
internal sealed class LoopbackServer(WebApplication app, int port) : IAsyncDisposable
{
    public int Port => port;

    /// <summary>The address as the client's options take it.</summary>
    public string Address => $"http://127.0.0.1:{port}";

    public static async Task<LoopbackServer> StartAsync(SharedPython python, Action<IServiceCollection>? services = null,
        Func<IEndpointRouteBuilder, IEndpointConventionBuilder>? map = null, Action<ListenOptions>? listen = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, options =>
        {
            options.Protocols = HttpProtocols.Http2;
            listen?.Invoke(options);
        }));
        builder.Services.AddSingleton(python.Executor);
        builder.Services.AddSingleton<IPythonExecutor>(python.Executor);
        builder.Services.AddPythonGrpcServices();
        services?.Invoke(builder.Services);
        var app = builder.Build();
        (map ?? (endpoints => endpoints.MapPythonExecutor()))(app);
        try
        {
            await app.StartAsync();
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }
        var address = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single());
        return new LoopbackServer(app, address.Port);
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}

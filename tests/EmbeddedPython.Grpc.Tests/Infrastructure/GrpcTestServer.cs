using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace EmbeddedPython.Grpc.Tests.Infrastructure;

/// <summary>Our gRPC services on Kestrel, HTTP/2 without TLS on 127.0.0.1 and a free port, over the shared executor.</summary>
public sealed class GrpcTestServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private GrpcTestServer(WebApplication app, Uri address)
    {
        _app = app;
        Address = address;
        Channel = GrpcChannel.ForAddress(address);
        var lifetime = app.Services.GetRequiredService<IHostApplicationLifetime>();
        var stopping = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lifetime.ApplicationStopping.Register(() => stopping.TrySetResult());
        Stopping = stopping.Task;
    }

    public Uri Address { get; }

    public GrpcChannel Channel { get; }

    /// <summary>Completes when the host starts to stop (the runner ends itself this way).</summary>
    public Task Stopping { get; }

    public IServiceProvider Services => _app.Services;

    public static async Task<GrpcTestServer> StartAsync(PythonExecutor executor, Action<PythonGrpcOptions>? configure = null)
    {
        var (app, address) = await LoopbackHost.StartAsync(
            services =>
            {
                services.AddSingleton(executor);
                services.AddSingleton<IPythonExecutor>(executor);
                services.AddPythonGrpcServices(configure);
            },
            app =>
            {
                app.MapPythonExecutor();
                app.MapAutokittehRunner();
            });
        return new GrpcTestServer(app, address);
    }

    public async ValueTask DisposeAsync()
    {
        Channel.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

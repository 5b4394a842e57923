using Grpc.Net.Client;
using Grpc.Reflection.V1Alpha;
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

    /// <summary>The executor service, plus what <paramref name="services"/> registers and <paramref name="map"/> maps.</summary>
    public static async Task<GrpcTestServer> StartAsync(PythonExecutor executor, Action<PythonGrpcOptions>? configure = null,
        Action<IServiceCollection>? services = null, Action<WebApplication>? map = null)
    {
        var (app, address) = await LoopbackHost.StartAsync(
            registered =>
            {
                registered.AddSingleton(executor);
                registered.AddSingleton<IPythonExecutor>(executor);
                registered.AddPythonGrpcServices(configure);
                services?.Invoke(registered);
            },
            mapped =>
            {
                mapped.MapPythonExecutor();
                map?.Invoke(mapped);
            });
        return new GrpcTestServer(app, address);
    }

    /// <summary>The services gRPC server reflection lists.</summary>
    public async Task<List<string>> ListServicesAsync()
    {
        var reflection = new ServerReflection.ServerReflectionClient(Channel);
        using var call = reflection.ServerReflectionInfo();
        await call.RequestStream.WriteAsync(new ServerReflectionRequest { ListServices = "" });
        await call.RequestStream.CompleteAsync();
        Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None));
        return [.. call.ResponseStream.Current.ListServicesResponse.Service.Select(s => s.Name)];
    }

    public async ValueTask DisposeAsync()
    {
        Channel.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

using System.Net;
using Autokitteh.UserCode.V1;
using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace EmbeddedPython.Autokitteh.Tests.Hosting;

[Collection(PythonCollection.Name)]
public sealed class RunnerServiceTests(SharedPython python)
{
    [Fact]
    public async Task The_runner_service_of_a_host_without_the_runner_enabled_refuses_sessions()
    {
        await using var server = await RunnerUnderTest.StartHostAsync(python.Executor);
        var runner = new RunnerService.RunnerServiceClient(server.Channel);

        var error = await Assert.ThrowsAsync<RpcException>(() => runner.StartAsync(new() { EntryPoint = "calc.py:add" }).ResponseAsync);

        Assert.Equal(StatusCode.FailedPrecondition, error.StatusCode);
        Assert.Contains("EmbeddedPython:Autokitteh:Enabled", error.Status.Detail, StringComparison.Ordinal);
        Assert.False(server.Stopping.IsCompleted);
    }

    [Fact]
    public async Task Reflection_of_a_host_with_both_services_lists_the_executor_and_the_runner()
    {
        await using var server = await RunnerUnderTest.StartHostAsync(python.Executor);
        var names = await server.ListServicesAsync();

        Assert.Contains("embeddedpython.executor.v1.PythonExecutor", names);
        Assert.Contains("autokitteh.user_code.v1.RunnerService", names);
    }

    [Fact]
    public async Task A_runner_listening_beyond_loopback_without_authorization_refuses_to_start_unless_anonymous_is_allowed()
    {
        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => StartRunnerOnAnyAddressAsync(allowAnonymous: false));
        Assert.Contains("beyond loopback", refused.Message, StringComparison.Ordinal);
        Assert.Contains("autokitteh.user_code.v1.RunnerService", refused.Message, StringComparison.Ordinal);
        Assert.Contains("AllowAnonymous", refused.Message, StringComparison.Ordinal);

        await StartRunnerOnAnyAddressAsync(allowAnonymous: true);
    }

    /// <summary>Starts (and stops again) a host with only the runner mapped, bound to every address.</summary>
    private async Task StartRunnerOnAnyAddressAsync(bool allowAnonymous)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Any, 0, listen => listen.Protocols = HttpProtocols.Http2));
        builder.Services.AddSingleton(python.Executor);
        builder.Services.AddSingleton<IPythonExecutor>(python.Executor);
        builder.Services.AddPythonGrpcServices(o => o.AllowAnonymous = allowAnonymous);
        builder.Services.AddAutokittehRunner();
        var app = builder.Build();
        app.MapAutokittehRunner();
        try
        {
            await app.StartAsync();
            await app.StopAsync();
        }
        finally
        {
            await app.DisposeAsync();
        }
    }
}

using EmbeddedPython.Grpc.Client.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace EmbeddedPython.Grpc.Client.Tests.DependencyInjection;

/// <summary><c>AddRemotePythonExecutor</c>: from a bare service collection, bound from <c>EmbeddedPython:Remote</c>,
/// validated naming the setting.</summary>
[Collection(PythonCollection.Name)]
public sealed class RegistrationTests(SharedPython python)
{
    [Fact]
    public async Task A_bare_service_collection_gets_a_remote_executor_that_runs_requests()
    {
        await using var server = await LoopbackServer.StartAsync(python);
        await using var provider = new ServiceCollection().AddRemotePythonExecutor(o => o.Address = server.Address).BuildServiceProvider();

        var executor = provider.GetRequiredService<IPythonExecutor>();

        Assert.IsType<RemotePythonExecutor>(executor);
        Assert.Equal(42L, (await executor.ExecuteAsync("y = x * 2", new Dictionary<string, object?> { ["x"] = 21 })).Values["y"]);
    }

    [Fact]
    public void Options_bind_from_the_EmbeddedPython_Remote_section_then_the_delegate_runs()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["EmbeddedPython:Remote:Address"] = "dns:///python.internal:5005",
            ["EmbeddedPython:Remote:UseTls"] = "true",
            ["EmbeddedPython:Remote:MaxAttempts"] = "2",
            ["EmbeddedPython:Remote:DefaultTimeout"] = "00:00:05",
            ["EmbeddedPython:Remote:LoadBalancingPolicy"] = "pick_first",
        }).Build();
        using var provider = new ServiceCollection()
            .AddSingleton<IConfiguration>(configuration)
            .AddRemotePythonExecutor(o => o.MaxAttempts = 4)
            .BuildServiceProvider();

        var options = provider.GetRequiredService<IOptions<RemotePythonExecutorOptions>>().Value;

        Assert.Equal("dns:///python.internal:5005", options.Address);
        Assert.True(options.UseTls);
        Assert.Equal(4, options.MaxAttempts);
        Assert.Equal(TimeSpan.FromSeconds(5), options.DefaultTimeout);
        Assert.Equal("pick_first", options.LoadBalancingPolicy);
    }

    [Fact]
    public void Invalid_options_are_refused_naming_each_setting()
    {
        using var provider = new ServiceCollection().AddRemotePythonExecutor(o =>
        {
            o.Address = "python.internal:5005";
            o.MaxAttempts = 9;
            o.LoadBalancingPolicy = "random";
        }).BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IPythonExecutor>());

        Assert.Contains("Address 'python.internal:5005' is not one of dns:///host:port", error.Message);
        Assert.Contains("MaxAttempts must be between 1 and 5", error.Message);
        Assert.Contains("LoadBalancingPolicy must be round_robin or pick_first", error.Message);
        Assert.Throws<ArgumentException>(() => new RemotePythonExecutor(new RemotePythonExecutorOptions()));
    }

    [Fact]
    public void A_bearer_token_over_plaintext_is_refused_unless_allowed()
    {
        var options = new RemotePythonExecutorOptions { Address = "http://127.0.0.1:5005", BearerTokenProvider = _ => ValueTask.FromResult<string?>("t") };

        var refused = Assert.Throws<ArgumentException>(() => new RemotePythonExecutor(options));
        Assert.Contains("in the clear", refused.Message);

        options.AllowBearerTokenWithoutTls = true;
        _ = new RemotePythonExecutor(options);
    }

    [Fact]
    public async Task A_host_with_invalid_options_fails_at_start()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddRemotePythonExecutor(o => o.Address = "static:///");
        using var host = builder.Build();

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());
        Assert.Contains("Address", error.Message);
    }
}

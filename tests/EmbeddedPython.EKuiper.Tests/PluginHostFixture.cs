using EmbeddedPython.EKuiper.Tests.FakeEKuiper;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace EmbeddedPython.EKuiper.Tests;

/// <summary>One host for every test (one process holds one CPython), running the pysam, relay and faulty plugins,
/// each connected to its own fake eKuiper over real nng ipc sockets.</summary>
public sealed class PluginHostFixture : IAsyncLifetime
{
    private IHost? _host;

    public EKuiperPluginHost PluginHost => _host!.Services.GetRequiredService<EKuiperPluginHost>();

    public IPythonExecutor Executor => _host!.Services.GetRequiredService<IPythonExecutor>();

    public FakeEKuiper.FakeEKuiper Pysam { get; } = new("pysam");

    public FakeEKuiper.FakeEKuiper Relay { get; } = new("relay");

    public FakeEKuiper.FakeEKuiper Faulty { get; } = new("faulty");

    public static readonly TimeSpan Keepalive = TimeSpan.FromSeconds(1);

    public static string Plugin(string name) => Path.Combine(AppContext.BaseDirectory, "Plugins", name, name + ".py");

    public async Task InitializeAsync()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddEKuiperPluginHost(options =>
        {
            options.Plugins.Add(Plugin("pysam"));
            options.Plugins.Add(Plugin("relay"));
            options.Plugins.Add(Plugin("faulty"));
            options.Arguments.Add("{\"sendTimeout\":1000}");
            options.KeepaliveInterval = Keepalive;
            options.FunctionCallTimeout = TimeSpan.FromSeconds(2);
        });
        _host = builder.Build();
        await _host.StartAsync();
        foreach (var peer in new[] { Pysam, Relay, Faulty })
            Assert.Equal("handshake", peer.WaitForHandshake(TimeSpan.FromSeconds(10)));
    }

    /// <summary>Runs Python in the host's interpreter (to look at the test plugins' state).</summary>
    public async Task<T> EvaluateAsync<T>(string code)
    {
        var result = await Executor.ExecuteAsync(new PythonRequest { Code = code, LimitReturnTo = ["result"] });
        return (T)result.Values["result"]!;
    }

    public async Task DisposeAsync()
    {
        if (_host is not null)
        {
            await _host.StopAsync();
            _host.Dispose();
        }
        Pysam.Dispose();
        Relay.Dispose();
        Faulty.Dispose();
    }
}

[CollectionDefinition(Name)]
public sealed class PluginHostCollection : ICollectionFixture<PluginHostFixture>
{
    public const string Name = "plugin host";
}

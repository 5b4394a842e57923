using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace EmbeddedPython.Vantiq.Tests.FakeVantiq;

/// <summary>A fake Vantiq server with the real connector service connected to it.</summary>
public sealed class ConnectorUnderTest : IAsyncDisposable
{
    public const string Source = "pySrc";

    private ConnectorUnderTest(FakeVantiqServer server, VantiqConnectorService service, VantiqConnectorOptions options)
    {
        Server = server;
        Service = service;
        Options = options;
    }

    public FakeVantiqServer Server { get; }
    public VantiqConnectorService Service { get; }
    public VantiqConnectorOptions Options { get; }

    /// <summary>Starts a server (prepared by <paramref name="server"/>) and the connector (options changed by <paramref name="configure"/>).</summary>
    public static async Task<ConnectorUnderTest> StartAsync(IPythonExecutor executor, Action<VantiqConnectorOptions>? configure = null,
        Action<FakeVantiqServer>? server = null)
    {
        var fake = await FakeVantiqServer.StartAsync();
        server?.Invoke(fake);
        var options = new VantiqConnectorOptions
        {
            TargetServer = fake.BaseUri.ToString(),
            AuthToken = fake.Token,
            Sources = [Source],
            TcpProbeAddress = "127.0.0.1",
            TcpProbePort = 0,
            DeclareHealthyAtStart = false,
            ReconnectDelay = TimeSpan.FromMilliseconds(200),
            MaxReconnectDelay = TimeSpan.FromSeconds(2),
        };
        configure?.Invoke(options);
        var service = new VantiqConnectorService(executor, Microsoft.Extensions.Options.Options.Create(options), NullLoggerFactory.Instance);
        await service.StartAsync(CancellationToken.None);
        return new ConnectorUnderTest(fake, service, options);
    }

    /// <summary>A connector with a configured session, ready for queries.</summary>
    public static async Task<(ConnectorUnderTest Connector, FakeSession Session)> ConnectAsync(IPythonExecutor executor, string? general = null)
    {
        var connector = await StartAsync(executor, server: s =>
        {
            if (general is not null)
                s.Config = JsonNode.Parse("{\"config\": {\"pythonExecConfig\": {\"general\": " + general + "}}}")!;
        });
        return (connector, await connector.Server.NextSessionAsync());
    }

    public async ValueTask DisposeAsync()
    {
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await Service.StopAsync(bound.Token);
        Service.Dispose();
        await Server.DisposeAsync();
    }
}

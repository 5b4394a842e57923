using System.Net;
using EmbeddedPython.Vantiq.Documents;
using EmbeddedPython.Vantiq.Hosting;
using EmbeddedPython.Vantiq.Protocol;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EmbeddedPython.Vantiq;

/// <summary>
/// The connector as a hosted service: one websocket per configured source, each serving the source's
/// queries on the shared <see cref="IPythonExecutor"/> with pythonExecSource's semantics. Registered by
/// <c>services.AddVantiqConnector()</c>.
/// </summary>
public sealed class VantiqConnectorService : BackgroundService
{
    private readonly IPythonExecutor _executor;
    private readonly VantiqConnectorOptions _options;
    private readonly ILoggerFactory _loggerFactory;
    private readonly IHostApplicationLifetime? _lifetime;
    private readonly HealthProbe _health;
    private readonly HttpClient _http;
    private readonly List<SourceConnection> _connections = [];

    /// <summary>Creates the service; nothing connects before the host starts it.</summary>
    public VantiqConnectorService(IPythonExecutor executor, IOptions<VantiqConnectorOptions> options, ILoggerFactory loggerFactory,
        IHostApplicationLifetime? lifetime = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _executor = executor;
        _options = options.Value;
        _loggerFactory = loggerFactory;
        _lifetime = lifetime;
        _health = new HealthProbe(new IPEndPoint(IPAddress.Parse(_options.TcpProbeAddress), _options.TcpProbePort ?? 8000));
        _http = new HttpClient(new SocketsHttpHandler
        {
            SslOptions = _options.DisableSslVerification == true ? new() { RemoteCertificateValidationCallback = (_, _, _, _) => true } : new(),
        });
    }

    /// <summary>Whether the health probe is declared healthy (null until something declared it).</summary>
    public bool? IsHealthy => _health.IsHealthy;

    /// <summary>The port the health probe listens on while healthy.</summary>
    public int? HealthProbePort => _health.Port;

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var url = VantiqUrls.WebSocket(_options.TargetServer!);
        var documents = new DocumentClient(_http, VantiqUrls.RestBase(url), _options.AuthToken);
        // What connector_connection.get_server_config() shows: the settings without the token.
        var serverConfig = new Dictionary<string, object?>
        {
            ["targetServer"] = url.ToString(),
            ["sources"] = string.Join(',', _options.Sources),
        };
        if (_options.DeclareHealthyAtStart ?? Environment.GetEnvironmentVariable("KUBERNETES_SERVICE_HOST") is not null)
            _health.DeclareHealthy();
        var secret = _options.ReconnectSecret ?? Guid.NewGuid().ToString();
        var logger = _loggerFactory.CreateLogger<VantiqConnectorService>();
        foreach (var source in _options.Sources)
            _connections.Add(new SourceConnection(source, url, _options, source + "_" + secret, _executor, documents, _health, serverConfig, logger));
        try
        {
            await Task.WhenAll(_connections.Select(c => c.RunAsync(stoppingToken))).ConfigureAwait(false);
        }
        catch (Exception) when (_options.FailOnConnectionError == true && !stoppingToken.IsCancellationRequested)
        {
            _lifetime?.StopApplication();
            throw;
        }
    }

    /// <inheritdoc />
    public override void Dispose()
    {
        _health.Dispose();
        _http.Dispose();
        base.Dispose();
    }
}

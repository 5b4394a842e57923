namespace EmbeddedPython.Vantiq;

/// <summary>
/// Settings of the Vantiq connector. Bound from the configuration section <c>EmbeddedPython:Vantiq</c> (or,
/// deprecated, <c>Vantiq</c>); a <c>server.config</c> file (Java properties, the original connector's format)
/// fills in every setting the .NET configuration leaves unset.
/// </summary>
public sealed class VantiqConnectorOptions
{
    /// <summary>The configuration section these options bind from.</summary>
    public const string SectionName = "EmbeddedPython:Vantiq";

    /// <summary>The section of earlier versions: still bound when <see cref="SectionName"/> is absent, with a
    /// logged deprecation warning.</summary>
    public const string LegacySectionName = "Vantiq";

    /// <summary>Path of a <c>server.config</c> file. When null, <c>serverConfig/server.config</c> and then
    /// <c>server.config</c> under the working directory are used if they exist.</summary>
    public string? ServerConfigFile { get; set; }

    /// <summary>The Vantiq server (<c>targetServer</c>), e.g. <c>https://dev.vantiq.com</c>; the websocket
    /// URL is derived from it as the Python connector does, keeping a path prefix.</summary>
    public string? TargetServer { get; set; }

    /// <summary>Access token (<c>authToken</c>); when unset, the environment variable <c>CONNECTOR_AUTH_TOKEN</c>.</summary>
    public string? AuthToken { get; set; }

    /// <summary>The sources to serve (<c>sources</c>); one websocket each.</summary>
    public IList<string> Sources { get; set; } = new List<string>();

    /// <summary>Send websocket pings (<c>sendPings</c>), every <see cref="PingInterval"/>; a missing pong drops the connection.</summary>
    public bool? SendPings { get; set; }

    /// <summary>Ping interval and pong timeout. Default 20 s, as the Python connector.</summary>
    public TimeSpan PingInterval { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>Stop the application on the first connection failure instead of retrying (<c>failOnConnectionError</c>).</summary>
    public bool? FailOnConnectionError { get; set; }

    /// <summary>Fixed suffix of the reconnect secret (<c>reconnectSecret</c>); a fresh GUID per process when unset.</summary>
    public string? ReconnectSecret { get; set; }

    /// <summary>Port of the TCP health probe (<c>tcpProbePort</c>). Default 8000.</summary>
    public int? TcpProbePort { get; set; }

    /// <summary>Address the health probe listens on. Default all interfaces, as the original.</summary>
    public string TcpProbeAddress { get; set; } = "0.0.0.0";

    /// <summary>Open the health probe at start. When null: when <c>KUBERNETES_SERVICE_HOST</c> is set, as the original.</summary>
    public bool? DeclareHealthyAtStart { get; set; }

    /// <summary>Skip TLS certificate and host name checks (<c>connectKWArgs={"disableSslVerification": true}</c>).</summary>
    public bool? DisableSslVerification { get; set; }

    /// <summary>Time limit of one query (fetching its document, waiting in the queue, running, and the
    /// replies of self-returning code). At the limit the code is interrupted and the query gets a 400. Default 60 s.</summary>
    public TimeSpan QueryTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Time allowed for opening the websocket and the handshake up to configureExtension; a server
    /// that does not finish it in time is treated as a failed attempt. Default 30 s.</summary>
    public TimeSpan HandshakeTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Largest incoming websocket message; a larger one closes the connection with 1009 and it is
    /// re-opened. Default 64 MiB (the Python connector stopped at 1 MiB).</summary>
    public int MaxIncomingMessageBytes { get; set; } = 64 * 1024 * 1024;

    /// <summary>Frames (replies, notifications) that may wait while the connection is down. Default 10,000.</summary>
    public int OutgoingQueueCapacity { get; set; } = 10_000;

    /// <summary>How long a frame may wait for a connection before it is dropped (and logged). Default 5 minutes.</summary>
    public TimeSpan OutgoingFrameLifetime { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>First reconnect delay after a failure; doubles per consecutive failure, with jitter. Default 0.5 s.</summary>
    public TimeSpan ReconnectDelay { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Longest reconnect delay. Default 30 s.</summary>
    public TimeSpan MaxReconnectDelay { get; set; } = TimeSpan.FromSeconds(30);
}

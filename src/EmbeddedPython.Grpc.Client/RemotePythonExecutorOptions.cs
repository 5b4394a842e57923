namespace EmbeddedPython.Grpc.Client;

/// <summary>Settings of the remote executor; bound from the configuration section <c>EmbeddedPython:Remote</c>
/// (all but the delegates) and validated when the executor is created.</summary>
public sealed class RemotePythonExecutorOptions
{
    /// <summary>The configuration section these options bind from.</summary>
    public const string SectionName = "EmbeddedPython:Remote";

    /// <summary>Where the servers are: <c>dns:///python.internal:5005</c> (every address the name resolves to,
    /// resolved again every <see cref="DnsRefreshInterval"/>), <c>static:///10.0.0.1:5005,10.0.0.2:5005</c> (a
    /// fixed list), or one server as <c>http://host:port</c> / <c>https://host:port</c>. Required.</summary>
    public string? Address { get; set; }

    /// <summary>Speak TLS to <c>dns:</c> and <c>static:</c> addresses (an <c>https://</c> address always does,
    /// an <c>http://</c> one never). Client certificates and server certificate checks are set through
    /// <see cref="ConfigureHttpHandler"/>.</summary>
    public bool UseTls { get; set; }

    /// <summary>gRPC's client-side load balancing policy over the resolved addresses: <c>round_robin</c>
    /// (default) or <c>pick_first</c>.</summary>
    public string LoadBalancingPolicy { get; set; } = "round_robin";

    /// <summary>How often a <c>dns:</c> address is resolved again, so servers added to or removed from the name
    /// are picked up; a connection failure resolves at once too. Default 30 s.</summary>
    public TimeSpan DnsRefreshInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The time limit of a request or call that sets none; it is sent as the server's limit and
    /// becomes the call's gRPC deadline. Null (default): the server's own default, and no deadline.</summary>
    public TimeSpan? DefaultTimeout { get; set; }

    /// <summary>Attempts per request, the first included, when no server could take it (<c>UNAVAILABLE</c>
    /// before the server received it). A request that reached a server is never sent again. 1 disables
    /// retries; at most 5. Default 3.</summary>
    public int MaxAttempts { get; set; } = 3;

    /// <summary>The delay before the first retry (randomised below it, then growing 1.5× up to 5×). Default 100 ms.</summary>
    public TimeSpan InitialBackoff { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Ask the server to return what a request printed (<see cref="PythonResult.Output"/>). Default true.</summary>
    public bool CaptureOutput { get; set; } = true;

    /// <summary>Gives the bearer token sent with every call (<c>Authorization: Bearer …</c>), asked for per call
    /// so that it may be refreshed; null or empty sends none. Sent only over TLS unless
    /// <see cref="AllowBearerTokenWithoutTls"/> is set.</summary>
    public Func<CancellationToken, ValueTask<string?>>? BearerTokenProvider { get; set; }

    /// <summary>Send the bearer token over a plaintext connection (a sidecar or a private network that
    /// encrypts for you). Default false: such a configuration is refused.</summary>
    public bool AllowBearerTokenWithoutTls { get; set; }

    /// <summary>Adjusts the HTTP handler of the channel: client certificates for mTLS
    /// (<c>handler.SslOptions.ClientCertificates</c>), a custom server certificate check, keep-alive pings.</summary>
    public Action<SocketsHttpHandler>? ConfigureHttpHandler { get; set; }
}

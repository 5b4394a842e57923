using System.Buffers;
using System.Diagnostics;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using EmbeddedPython.Vantiq.Diagnostics;
using EmbeddedPython.Vantiq.Documents;
using EmbeddedPython.Vantiq.Execution;
using EmbeddedPython.Vantiq.Hosting;
using EmbeddedPython.Vantiq.Protocol;
using Microsoft.Extensions.Logging;

namespace EmbeddedPython.Vantiq.Connection;

/// <summary>
/// One source's websocket (Vantiq spec 1.3–1.7): validate, connectExtension, configureExtension, then
/// queries dispatched to <see cref="QueryRunner"/> without blocking the reads, and the reconnect state
/// machine around it. One instance lives for the whole run; each session (socket) reconfigures the
/// Python side, which empties the code cache as the original does.
/// </summary>
internal sealed class SourceConnection
{
    private const string ReplyHeader = "REPLY_ADDR_HEADER";
    private const int MaxStatusMessagesBeforeConfigure = 10;
    private static readonly TimeSpan ShortSession = TimeSpan.FromSeconds(1);

    private readonly string _source;
    private readonly Uri _url;
    private readonly VantiqConnectorOptions _options;
    private readonly string _reconnectSecret;
    private readonly IPythonExecutor _executor;
    private readonly QueryRunner _runner;
    private readonly DocumentClient _documents;
    private readonly HealthProbe _health;
    private readonly IReadOnlyDictionary<string, object?> _serverConfig;
    private readonly ILogger _logger;
    private readonly OutgoingQueue _outgoing;
    private readonly ReconnectBackoff _backoff;
    private readonly string _connectionId;
    private readonly OpenQueries _openQueries = new();
    private volatile CancellationTokenSource? _session;
    private int _closeRequested;

    public SourceConnection(string source, Uri url, VantiqConnectorOptions options, string reconnectSecret, IPythonExecutor executor,
        DocumentClient documents, HealthProbe health, IReadOnlyDictionary<string, object?> serverConfig, ILogger logger)
    {
        _source = source;
        _url = url;
        _options = options;
        _reconnectSecret = reconnectSecret;
        _executor = executor;
        _runner = new QueryRunner(source, executor, options.QueryTimeout, _openQueries);
        _documents = documents;
        _health = health;
        _serverConfig = serverConfig;
        _logger = logger;
        _outgoing = new OutgoingQueue(options.OutgoingQueueCapacity, options.OutgoingFrameLifetime);
        _backoff = new ReconnectBackoff(options.ReconnectDelay, options.MaxReconnectDelay);
        // The Python side keys its per-connection state (code cache) by this; the core's cache is shared by all.
        _connectionId = source + "#" + Guid.NewGuid().ToString("N");
    }

    private enum SessionEnd { ServerClosed, ReconnectRequired, Refused }

    /// <summary>Connects and serves until <paramref name="stopping"/>; returns early only when
    /// failOnConnectionError is set and a connection failed (the exception is rethrown).</summary>
    public async Task RunAsync(CancellationToken stopping)
    {
        try
        {
            while (!stopping.IsCancellationRequested)
            {
                TimeSpan delay;
                try
                {
                    var started = Stopwatch.GetTimestamp();
                    var end = await RunSessionAsync(stopping).ConfigureAwait(false);
                    if (end == SessionEnd.Refused)
                        continue; // logged and delayed inside, where the status is known
                    Log.Reconnecting(_logger, _source, end == SessionEnd.ReconnectRequired ? "reconnect requested" : "the server closed the connection");
                    // At once, as the original; but a server that closes every session right away gets the back-off.
                    if (end == SessionEnd.ReconnectRequired || Stopwatch.GetElapsedTime(started) > ShortSession)
                        continue;
                    delay = _backoff.Failed();
                }
                catch (OperationCanceledException) when (stopping.IsCancellationRequested)
                {
                    break;
                }
                catch (Exception e) when (_options.FailOnConnectionError == true)
                {
                    Log.FailingFast(_logger, _source, e);
                    throw;
                }
                catch (VantiqAuthenticationException e)
                {
                    // Retried (the original exited), but at the longest delay: a wrong token rarely fixes itself soon.
                    _backoff.Failed();
                    Telemetry.ConnectionFailed();
                    delay = _options.MaxReconnectDelay;
                    Log.ConnectionFailed(_logger, _source, _backoff.Failures, delay, Reason(e));
                }
                catch (Exception e) when (!stopping.IsCancellationRequested)
                {
                    delay = _backoff.Failed();
                    Telemetry.ConnectionFailed();
                    Log.ConnectionFailed(_logger, _source, _backoff.Failures, delay, Reason(e));
                }
                await Task.Delay(delay, stopping).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
        }
        finally
        {
            await ForgetPythonStateAsync().ConfigureAwait(false);
        }
    }

    private async Task<SessionEnd> RunSessionAsync(CancellationToken stopping)
    {
        using var socket = new ClientWebSocket();
        if (_options.SendPings == true)
        {
            socket.Options.KeepAliveInterval = _options.PingInterval;
            socket.Options.KeepAliveTimeout = _options.PingInterval;
        }
        else
        {
            socket.Options.KeepAliveInterval = TimeSpan.Zero; // the server's pings are still answered
        }
        if (_options.DisableSslVerification == true)
            socket.Options.RemoteCertificateValidationCallback = (_, _, _, _) => true;
        var buffer = new ArrayBufferWriter<byte>(16 * 1024);
        JsonElement config;
        using (var handshake = CancellationTokenSource.CreateLinkedTokenSource(stopping))
        {
            handshake.CancelAfter(_options.HandshakeTimeout);
            try
            {
                var (found, refusedDelay) = await HandshakeAsync(socket, buffer, handshake.Token).ConfigureAwait(false);
                if (found is null)
                {
                    await Task.Delay(refusedDelay, stopping).ConfigureAwait(false);
                    return SessionEnd.Refused;
                }
                config = found.Value;
            }
            catch (OperationCanceledException e) when (!stopping.IsCancellationRequested)
            {
                throw new TimeoutException($"The server did not complete the handshake within {_options.HandshakeTimeout}.", e);
            }
        }

        await ConfigurePythonAsync(config, stopping).ConfigureAwait(false);
        Telemetry.SessionStarted();
        _backoff.Succeeded();
        Log.Connected(_logger, _source, _url);

        using var session = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        _session = session;
        Interlocked.Exchange(ref _closeRequested, 0);
        var pump = _outgoing.PumpAsync(
            (frame, token) => socket.SendAsync(frame, WebSocketMessageType.Text, true, token),
            bytes =>
            {
                Telemetry.FrameDropped();
                Log.FrameExpired(_logger, _source, bytes);
            },
            session.Token);
        // A failed send ends the session as a failed read would.
        _ = pump.ContinueWith(static (t, s) => ((CancellationTokenSource)s!).Cancel(), session,
            CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
        var reconnect = false;
        try
        {
            while (true)
            {
                JsonDocument? message;
                try
                {
                    message = await ReceiveAsync(socket, buffer, session.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (Volatile.Read(ref _closeRequested) == 1 && !stopping.IsCancellationRequested)
                {
                    reconnect = true;
                    return SessionEnd.ReconnectRequired;
                }
                catch (OperationCanceledException e) when (!stopping.IsCancellationRequested)
                {
                    // The socket was aborted (no pong to a keep-alive ping) or a send failed (the pump cancelled the session).
                    await session.CancelAsync().ConfigureAwait(false);
                    if (pump.IsFaulted)
                        await pump.ConfigureAwait(false); // rethrows the send failure
                    throw new WebSocketException(WebSocketError.ConnectionClosedPrematurely, "The connection was aborted (a keep-alive ping went unanswered).", e);
                }
                if (message is null)
                    return SessionEnd.ServerClosed;
                using (message)
                {
                    if (Dispatch(message.RootElement, stopping))
                    {
                        reconnect = true;
                        return SessionEnd.ReconnectRequired;
                    }
                }
            }
        }
        finally
        {
            _session = null;
            await session.CancelAsync().ConfigureAwait(false);
            try
            {
                await pump.ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or WebSocketException or ObjectDisposedException)
            {
                // The session ended; what was not sent stays queued for the next one.
            }
            if (reconnect)
                await CloseQuietlyAsync(socket, WebSocketCloseStatus.NormalClosure).ConfigureAwait(false);
        }
    }

    /// <summary>validate, connectExtension, then configureExtension's <c>object.config</c>; no config and the
    /// back-off delay when the server refused connectExtension.</summary>
    private async Task<(JsonElement? Config, TimeSpan RefusedDelay)> HandshakeAsync(ClientWebSocket socket, ArrayBufferWriter<byte> buffer, CancellationToken cancellationToken)
    {
        await socket.ConnectAsync(_url, cancellationToken).ConfigureAwait(false);
        await socket.SendAsync(OutgoingFrames.Validate(_options.AuthToken), WebSocketMessageType.Text, true, cancellationToken).ConfigureAwait(false);
        using (var auth = await ReceiveRequiredAsync(socket, buffer, cancellationToken).ConfigureAwait(false))
        {
            if (Status(auth.RootElement) is { } status && status != 200)
                throw new VantiqAuthenticationException($"Connect call failed: {status} :: {FirstError(auth.RootElement)}");
        }

        await socket.SendAsync(OutgoingFrames.ConnectExtension(_source, _reconnectSecret), WebSocketMessageType.Text, true, cancellationToken).ConfigureAwait(false);
        for (var skipped = 0; ; skipped++)
        {
            if (skipped > MaxStatusMessagesBeforeConfigure)
                throw new InvalidDataException($"More than {MaxStatusMessagesBeforeConfigure} status messages arrived before configureExtension.");
            using var message = await ReceiveRequiredAsync(socket, buffer, cancellationToken).ConfigureAwait(false);
            var root = message.RootElement;
            if (!root.TryGetProperty("op", out var op))
            {
                if (Status(root) is >= 300 and var status)
                {
                    // e.g. the source is restarting ("does not have an associated stream"): retried with back-off,
                    // where the original retried at once in a tight loop.
                    var delay = _backoff.Failed();
                    Telemetry.ConnectionFailed();
                    Log.ConnectRefused(_logger, _source, (int)status!, root.TryGetProperty("body", out var b) ? b.GetRawText() : "", delay);
                    await CloseQuietlyAsync(socket, WebSocketCloseStatus.NormalClosure).ConfigureAwait(false);
                    return (null, delay);
                }
                continue;
            }
            if (op.GetString() != "configureExtension"
                || !root.TryGetProperty("object", out var obj) || obj.ValueKind != JsonValueKind.Object
                || !obj.TryGetProperty("config", out var found))
                throw new InvalidDataException($"Expected configureExtension with object.config, received: {Shorten(root.GetRawText())}");
            return (found.Clone(), TimeSpan.Zero);
        }
    }

    /// <summary>Handles one server message; true when the server asked for a reconnect.</summary>
    private bool Dispatch(JsonElement root, CancellationToken stopping)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            Log.Ignored(_logger, _source, "not a JSON object: " + Shorten(root.GetRawText()));
            return false;
        }
        if (!root.TryGetProperty("op", out var opElement) || opElement.ValueKind != JsonValueKind.String)
        {
            if (Status(root) is >= 300 and var status)
                Log.ServerError(_logger, _source, (int)status!, root.TryGetProperty("body", out var body) ? Shorten(body.GetRawText()) : "");
            else if (Status(root) is null)
                Log.Ignored(_logger, _source, "neither op nor status: " + Shorten(root.GetRawText()));
            return false;
        }
        switch (opElement.GetString())
        {
            case "query":
                StartQuery(root, stopping);
                return false;
            case "publish":
                Log.Publish(_logger, _source, root.TryGetProperty("object", out var published) ? Shorten(published.GetRawText()) : "null");
                return false;
            case "reconnectRequired":
                return true;
            default:
                Log.Ignored(_logger, _source, "unexpected operation " + opElement.GetString());
                return false;
        }
    }

    private void StartQuery(JsonElement root, CancellationToken stopping)
    {
        string? address = null;
        if (root.TryGetProperty("messageHeaders", out var headers) && headers.ValueKind == JsonValueKind.Object
            && headers.TryGetProperty(ReplyHeader, out var header) && header.ValueKind == JsonValueKind.String)
            address = header.GetString();
        if (address is null)
        {
            Log.NoReplyAddress(_logger, _source, ReplyHeader);
            return;
        }
        JsonElement? query = root.TryGetProperty("object", out var obj) && obj.ValueKind != JsonValueKind.Null ? obj.Clone() : null;
        _ = Task.Run(async () =>
        {
            try
            {
                await _runner.RunAsync(_connectionId, query, address, _documents, Send, stopping).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
            }
            catch (Exception e)
            {
                Log.QueryCrashed(_logger, _source, e);
            }
        }, CancellationToken.None);
    }

    private void Send(byte[] frame)
    {
        if (_outgoing.TryAdd(frame))
            return;
        Telemetry.FrameDropped();
        Log.QueueFull(_logger, _source, frame.Length);
    }

    // ---- the Python side of the connection ----

    private async Task ConfigurePythonAsync(JsonElement config, CancellationToken stopping)
    {
        var presets = new Dictionary<string, object?>
        {
            ["_vq_id"] = _connectionId,
            ["_vq_source"] = _source,
            ["_vq_config"] = config,
            ["_vq_server_config"] = _serverConfig,
            ["_vq_reply"] = new PythonCallback(Reply),
            ["_vq_notify"] = new PythonCallback(Notify),
            ["_vq_health"] = new PythonCallback(Health),
            ["_vq_close"] = new PythonCallback(RequestClose),
        };
        await _executor.ExecuteAsync(new PythonRequest { Name = PythonSide.ConfigureName, Code = PythonSide.ConfigureCode, PresetValues = presets }, stopping)
            .ConfigureAwait(false);
    }

    private async Task ForgetPythonStateAsync()
    {
        try
        {
            var presets = new Dictionary<string, object?> { ["_vq_id"] = _connectionId };
            await _executor.ExecuteAsync(new PythonRequest { Name = PythonSide.ForgetName, Code = PythonSide.ForgetCode, PresetValues = presets })
                .ConfigureAwait(false);
        }
        catch (Exception e) when (e is ObjectDisposedException or PythonException or InvalidOperationException or TimeoutException)
        {
            // The executor is already gone: so is the state.
        }
    }

    /// <summary>A reply frame from Python code: 100 while the query is open, a final one only once.</summary>
    private object? Reply(IReadOnlyList<object?> arguments)
    {
        if (arguments is not [string address, long status, var body] || body is not (null or string))
            throw new ArgumentException("reply expects (address, status, body JSON or None).");
        var open = status == 100 ? _openQueries.IsOpen(address) : _openQueries.TryClose(address);
        if (!open)
            throw new InvalidOperationException($"The query with reply address {address} was already answered or timed out.");
        if (!_outgoing.TryAdd(OutgoingFrames.QueryResponse((int)status, address, (string?)body)))
            throw new InvalidOperationException($"The outgoing queue of source {_source} is full ({_options.OutgoingQueueCapacity} frames); the reply was not sent.");
        return null;
    }

    private object? Notify(IReadOnlyList<object?> arguments)
    {
        var json = arguments.Count == 1 && arguments[0] is string text ? text : throw new ArgumentException("send_notification expects one message.");
        if (!_outgoing.TryAdd(OutgoingFrames.Notification(_source, json)))
            throw new InvalidOperationException($"The outgoing queue of source {_source} is full ({_options.OutgoingQueueCapacity} frames); the notification was not sent.");
        return null;
    }

    private object? Health(IReadOnlyList<object?> arguments)
    {
        switch (arguments.Count == 1 ? arguments[0] : null)
        {
            case true: _health.DeclareHealthy(); break;
            case false: _health.DeclareUnhealthy(); break;
        }
        return _health.IsHealthy;
    }

    private object? RequestClose(IReadOnlyList<object?> arguments)
    {
        Interlocked.Exchange(ref _closeRequested, 1);
        // Off the interpreter thread: cancelling runs the session's continuations, which must not hold the GIL.
        var session = _session;
        _ = Task.Run(() => session?.Cancel());
        return null;
    }

    // ---- frames ----

    private async Task<JsonDocument> ReceiveRequiredAsync(ClientWebSocket socket, ArrayBufferWriter<byte> buffer, CancellationToken cancellationToken) =>
        await ReceiveAsync(socket, buffer, cancellationToken).ConfigureAwait(false)
        ?? throw new WebSocketException(WebSocketError.ConnectionClosedPrematurely, "The server closed the connection during the handshake.");

    /// <summary>The next JSON message (text or binary frames), or null when the server closed the
    /// connection. Messages that are not JSON are logged and skipped.</summary>
    private async Task<JsonDocument?> ReceiveAsync(ClientWebSocket socket, ArrayBufferWriter<byte> buffer, CancellationToken cancellationToken)
    {
        while (true)
        {
            buffer.ResetWrittenCount();
            ValueWebSocketReceiveResult result;
            do
            {
                result = await socket.ReceiveAsync(buffer.GetMemory(16 * 1024), cancellationToken).ConfigureAwait(false);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    await CloseQuietlyAsync(socket, WebSocketCloseStatus.NormalClosure).ConfigureAwait(false);
                    if (socket.CloseStatus is WebSocketCloseStatus.NormalClosure or WebSocketCloseStatus.EndpointUnavailable)
                        return null;
                    throw new WebSocketException(WebSocketError.ConnectionClosedPrematurely,
                        $"The server closed the connection with {(int?)socket.CloseStatus} {socket.CloseStatusDescription}.");
                }
                buffer.Advance(result.Count);
                if (buffer.WrittenCount > _options.MaxIncomingMessageBytes)
                {
                    await CloseQuietlyAsync(socket, WebSocketCloseStatus.MessageTooBig).ConfigureAwait(false);
                    throw new InvalidDataException($"A message from the server exceeded MaxIncomingMessageBytes ({_options.MaxIncomingMessageBytes}).");
                }
            }
            while (!result.EndOfMessage);
            try
            {
                return JsonDocument.Parse(buffer.WrittenMemory);
            }
            catch (JsonException e)
            {
                Log.Ignored(_logger, _source, "not JSON (" + e.Message + "): " + Shorten(Encoding.UTF8.GetString(buffer.WrittenSpan)));
            }
        }
    }

    private static async Task CloseQuietlyAsync(ClientWebSocket socket, WebSocketCloseStatus status)
    {
        try
        {
            if (socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
            {
                using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                await socket.CloseOutputAsync(status, null, bound.Token).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or ObjectDisposedException or IOException)
        {
            // Closing a socket that is already broken.
        }
    }

    private static int? Status(JsonElement root) =>
        root.TryGetProperty("status", out var status) && status.ValueKind == JsonValueKind.Number && status.TryGetInt32(out var value) ? value : null;

    /// <summary>"code:message" of the first error of a Vantiq error body.</summary>
    private static string FirstError(JsonElement root)
    {
        if (root.TryGetProperty("body", out var body) && body.ValueKind == JsonValueKind.Array && body.GetArrayLength() > 0
            && body[0].ValueKind == JsonValueKind.Object)
        {
            var first = body[0];
            var code = first.TryGetProperty("code", out var c) ? c.ToString() : "";
            var message = first.TryGetProperty("message", out var m) ? m.ToString() : "";
            return code + ":" + message;
        }
        return root.TryGetProperty("body", out var other) ? other.GetRawText() : "";
    }

    private static string Reason(Exception e) => e.InnerException is { } inner ? $"{e.Message} ({inner.Message})" : e.Message;

    private static string Shorten(string text) => text.Length <= 300 ? text : text[..300] + "…";
}

using System.Buffers;
using System.Net.WebSockets;
using System.Text.Json;
using EmbeddedPython.Vantiq.Diagnostics;
using EmbeddedPython.Vantiq.Protocol;

namespace EmbeddedPython.Vantiq.Connection;

/// <summary>One session of a <see cref="SourceConnection"/>: the handshake, then the frames of the
/// server dispatched until the socket ends.</summary>
internal sealed partial class SourceConnection
{
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
}

using System.Net.WebSockets;
using System.Text.Json;
using EmbeddedPython.Vantiq.Diagnostics;
using EmbeddedPython.Vantiq.Execution;
using EmbeddedPython.Vantiq.Protocol;
using Microsoft.Extensions.Logging;

namespace EmbeddedPython.Vantiq.Connection;

/// <summary>How a session ended.</summary>
internal enum SessionEnd { ServerClosed, ReconnectRequired, Refused }

/// <summary>
/// One configured session (Vantiq spec 1.4): the server's messages dispatched until the socket ends, queries
/// started without blocking the reads, and the outgoing queue sending through this socket meanwhile.
/// </summary>
internal sealed class Session
{
    private readonly FrameSocket _socket;
    private readonly PythonObject _connection;
    private readonly QueryRunner _runner;
    private readonly OutgoingQueue _outgoing;
    private readonly ILogger _logger;
    private readonly string _source;
    private readonly CancellationTokenSource _ending;
    private Exception? _sendFailure;
    private int _closeRequested;

    public Session(FrameSocket socket, PythonObject connection, QueryRunner runner, OutgoingQueue outgoing, ILogger logger, string source,
        CancellationToken stopping)
    {
        _socket = socket;
        _connection = connection;
        _runner = runner;
        _outgoing = outgoing;
        _logger = logger;
        _source = source;
        _ending = CancellationTokenSource.CreateLinkedTokenSource(stopping);
    }

    /// <summary>User code called <c>connector_connection.close()</c>: the session ends and the connection reconnects.</summary>
    public void RequestClose()
    {
        Interlocked.Exchange(ref _closeRequested, 1);
        End();
    }

    // Off the calling thread (the interpreter thread, or a send's): cancelling runs the session's continuations,
    // which must not hold the GIL.
    private void End() => _ = Task.Run(() =>
    {
        try
        {
            _ending.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // The session had already ended.
        }
    });

    public async Task<SessionEnd> RunAsync(CancellationToken stopping)
    {
        _outgoing.Attach(_socket.Socket, bytes =>
        {
            Telemetry.FrameDropped();
            Log.FrameExpired(_logger, _source, bytes);
        }, failure =>
        {
            // A failed send ends the session as a failed read would.
            _sendFailure = failure;
            End();
        });
        var reconnect = false;
        try
        {
            while (true)
            {
                JsonDocument? message;
                try
                {
                    message = await _socket.ReceiveAsync(_ending.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (Volatile.Read(ref _closeRequested) == 1 && !stopping.IsCancellationRequested)
                {
                    reconnect = true;
                    return SessionEnd.ReconnectRequired;
                }
                catch (OperationCanceledException e) when (!stopping.IsCancellationRequested)
                {
                    // The socket was aborted (no pong to a keep-alive ping) or a send failed.
                    if (_sendFailure is { } failure)
                        throw new WebSocketException(WebSocketError.ConnectionClosedPrematurely, "Sending to the server failed: " + failure.Message, failure);
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
            // What was not sent stays queued for the next session.
            _outgoing.Detach();
            await _ending.CancelAsync().ConfigureAwait(false);
            _ending.Dispose();
            if (reconnect)
                await _socket.CloseQuietlyAsync(WebSocketCloseStatus.NormalClosure).ConfigureAwait(false);
        }
    }

    /// <summary>Handles one server message; true when the server asked for a reconnect.</summary>
    private bool Dispatch(JsonElement root, CancellationToken stopping)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            Log.Ignored(_logger, _source, "not a JSON object: " + FrameSocket.Shorten(root.GetRawText()));
            return false;
        }
        if (!root.TryGetProperty("op", out var opElement) || opElement.ValueKind != JsonValueKind.String)
        {
            if (IncomingFrames.Status(root) is >= 300 and var status)
                Log.ServerError(_logger, _source, (int)status!, root.TryGetProperty("body", out var body) ? FrameSocket.Shorten(body.GetRawText()) : "");
            else if (IncomingFrames.Status(root) is null)
                Log.Ignored(_logger, _source, "neither op nor status: " + FrameSocket.Shorten(root.GetRawText()));
            return false;
        }
        if (opElement.ValueEquals("query"))
        {
            StartQuery(root, stopping);
            return false;
        }
        if (opElement.ValueEquals("publish"))
        {
            Log.Publish(_logger, _source, root.TryGetProperty("object", out var published) ? FrameSocket.Shorten(published.GetRawText()) : "null");
            return false;
        }
        if (opElement.ValueEquals("reconnectRequired"))
            return true;
        Log.Ignored(_logger, _source, "unexpected operation " + opElement.GetString());
        return false;
    }

    /// <summary>Starts a query and returns at once: the call is queued for the interpreter from this thread,
    /// and the reply goes out from the interpreter thread.</summary>
    private void StartQuery(JsonElement root, CancellationToken stopping)
    {
        if (IncomingFrames.ReplyAddress(root) is not { } address)
        {
            Log.NoReplyAddress(_logger, _source, IncomingFrames.ReplyHeader);
            return;
        }
        _ = RunQueryAsync(IncomingFrames.QueryObject(root), address, stopping);
    }

    private async Task RunQueryAsync(byte[]? query, string address, CancellationToken stopping)
    {
        try
        {
            await _runner.RunAsync(_connection, query, address, stopping).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            Log.QueryCrashed(_logger, _source, e);
        }
    }
}

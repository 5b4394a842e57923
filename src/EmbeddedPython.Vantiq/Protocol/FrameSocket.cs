using System.Buffers;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using EmbeddedPython.Vantiq.Diagnostics;
using Microsoft.Extensions.Logging;

namespace EmbeddedPython.Vantiq.Protocol;

/// <summary>One websocket to the server, as the protocol uses it (Vantiq spec 1.2): one JSON document per
/// message, in text or binary frames, up to a size limit.</summary>
internal sealed class FrameSocket : IDisposable
{
    private readonly ArrayBufferWriter<byte> _buffer = new(16 * 1024);
    private readonly int _maxMessageBytes;
    private readonly ILogger _logger;
    private readonly string _source;

    public FrameSocket(VantiqConnectorOptions options, ILogger logger, string source)
    {
        _maxMessageBytes = options.MaxIncomingMessageBytes;
        _logger = logger;
        _source = source;
        if (options.SendPings == true)
        {
            Socket.Options.KeepAliveInterval = options.PingInterval;
            Socket.Options.KeepAliveTimeout = options.PingInterval;
        }
        else
        {
            Socket.Options.KeepAliveInterval = TimeSpan.Zero; // the server's pings are still answered
        }
        if (options.DisableSslVerification == true)
            Socket.Options.RemoteCertificateValidationCallback = (_, _, _, _) => true;
    }

    public ClientWebSocket Socket { get; } = new();

    public Task ConnectAsync(Uri url, CancellationToken cancellationToken) => Socket.ConnectAsync(url, cancellationToken);

    public Task SendAsync(byte[] frame, CancellationToken cancellationToken) =>
        Socket.SendAsync(frame, WebSocketMessageType.Text, true, cancellationToken);

    /// <summary>The next JSON message; the server closing the socket is an error here (during the handshake).</summary>
    public async Task<JsonDocument> ReceiveRequiredAsync(CancellationToken cancellationToken) =>
        await ReceiveAsync(cancellationToken).ConfigureAwait(false)
        ?? throw new WebSocketException(WebSocketError.ConnectionClosedPrematurely, "The server closed the connection during the handshake.");

    /// <summary>The next JSON message (text or binary frames), or null when the server closed the
    /// connection normally. Messages that are not JSON are logged and skipped.</summary>
    public async Task<JsonDocument?> ReceiveAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            _buffer.ResetWrittenCount();
            ValueWebSocketReceiveResult result;
            do
            {
                result = await Socket.ReceiveAsync(_buffer.GetMemory(16 * 1024), cancellationToken).ConfigureAwait(false);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    await CloseQuietlyAsync(WebSocketCloseStatus.NormalClosure).ConfigureAwait(false);
                    if (Socket.CloseStatus is WebSocketCloseStatus.NormalClosure or WebSocketCloseStatus.EndpointUnavailable)
                        return null;
                    throw new WebSocketException(WebSocketError.ConnectionClosedPrematurely,
                        $"The server closed the connection with {(int?)Socket.CloseStatus} {Socket.CloseStatusDescription}.");
                }
                _buffer.Advance(result.Count);
                if (_buffer.WrittenCount > _maxMessageBytes)
                {
                    await CloseQuietlyAsync(WebSocketCloseStatus.MessageTooBig).ConfigureAwait(false);
                    throw new InvalidDataException($"A message from the server exceeded MaxIncomingMessageBytes ({_maxMessageBytes}).");
                }
            }
            while (!result.EndOfMessage);
            try
            {
                return JsonDocument.Parse(_buffer.WrittenMemory);
            }
            catch (JsonException e)
            {
                Log.Ignored(_logger, _source, "not JSON (" + e.Message + "): " + Shorten(Encoding.UTF8.GetString(_buffer.WrittenSpan)));
            }
        }
    }

    /// <summary>Sends a close frame if the socket is still open; a socket that is already broken is left as it is.</summary>
    public async Task CloseQuietlyAsync(WebSocketCloseStatus status)
    {
        try
        {
            if (Socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
            {
                using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                await Socket.CloseOutputAsync(status, null, bound.Token).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or ObjectDisposedException or IOException)
        {
            // Closing a socket that is already broken.
        }
    }

    public static string Shorten(string text) => text.Length <= 300 ? text : text[..300] + "…";

    public void Dispose() => Socket.Dispose();
}

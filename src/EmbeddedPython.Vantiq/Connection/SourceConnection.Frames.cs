using System.Buffers;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using EmbeddedPython.Vantiq.Diagnostics;

namespace EmbeddedPython.Vantiq.Connection;

/// <summary>Reading and closing the websocket of a <see cref="SourceConnection"/>.</summary>
internal sealed partial class SourceConnection
{
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

    private static string Shorten(string text) => text.Length <= 300 ? text : text[..300] + "…";
}

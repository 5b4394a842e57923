using System.Net.WebSockets;
using System.Text.Json;
using EmbeddedPython.Vantiq.Diagnostics;
using EmbeddedPython.Vantiq.Hosting;
using EmbeddedPython.Vantiq.Protocol;
using Microsoft.Extensions.Logging;

namespace EmbeddedPython.Vantiq.Connection;

/// <summary>The start of a session (Vantiq spec 1.3): validate, connectExtension, then configureExtension's
/// <c>object.config</c>.</summary>
internal static class Handshake
{
    private const int MaxStatusMessagesBeforeConfigure = 10;

    /// <summary>The source's configuration; null, after the back-off delay was counted, when the server refused
    /// connectExtension.</summary>
    /// <exception cref="VantiqAuthenticationException">The server refused the token.</exception>
    public static async Task<(JsonElement? Config, TimeSpan RefusedDelay)> RunAsync(FrameSocket socket, Uri url, string? token, string source,
        string reconnectSecret, ReconnectBackoff backoff, ILogger logger, CancellationToken cancellationToken)
    {
        await socket.ConnectAsync(url, cancellationToken).ConfigureAwait(false);
        await socket.SendAsync(OutgoingFrames.Validate(token), cancellationToken).ConfigureAwait(false);
        using (var auth = await socket.ReceiveRequiredAsync(cancellationToken).ConfigureAwait(false))
        {
            if (IncomingFrames.Status(auth.RootElement) is { } status && status != 200)
                throw new VantiqAuthenticationException($"Connect call failed: {status} :: {IncomingFrames.FirstError(auth.RootElement)}");
        }

        await socket.SendAsync(OutgoingFrames.ConnectExtension(source, reconnectSecret), cancellationToken).ConfigureAwait(false);
        for (var skipped = 0; ; skipped++)
        {
            if (skipped > MaxStatusMessagesBeforeConfigure)
                throw new InvalidDataException($"More than {MaxStatusMessagesBeforeConfigure} status messages arrived before configureExtension.");
            using var message = await socket.ReceiveRequiredAsync(cancellationToken).ConfigureAwait(false);
            var root = message.RootElement;
            if (!root.TryGetProperty("op", out var op))
            {
                if (IncomingFrames.Status(root) is >= 300 and var status)
                {
                    // e.g. the source is restarting ("does not have an associated stream"): retried with back-off,
                    // where the original retried at once in a tight loop.
                    var delay = backoff.Failed();
                    Telemetry.ConnectionFailed();
                    Log.ConnectRefused(logger, source, (int)status!, root.TryGetProperty("body", out var b) ? b.GetRawText() : "", delay);
                    await socket.CloseQuietlyAsync(WebSocketCloseStatus.NormalClosure).ConfigureAwait(false);
                    return (null, delay);
                }
                continue;
            }
            if (op.GetString() != "configureExtension"
                || !root.TryGetProperty("object", out var obj) || obj.ValueKind != JsonValueKind.Object
                || !obj.TryGetProperty("config", out var found))
                throw new InvalidDataException($"Expected configureExtension with object.config, received: {FrameSocket.Shorten(root.GetRawText())}");
            return (found.Clone(), TimeSpan.Zero);
        }
    }
}

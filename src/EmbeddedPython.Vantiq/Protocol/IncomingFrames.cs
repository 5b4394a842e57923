using System.Runtime.InteropServices;
using System.Text.Json;

namespace EmbeddedPython.Vantiq.Protocol;

/// <summary>What the connector reads from the server's messages (Vantiq spec 1.3, 1.4).</summary>
internal static class IncomingFrames
{
    public const string ReplyHeader = "REPLY_ADDR_HEADER";

    /// <summary>The <c>status</c> of a status-only message, or null.</summary>
    public static int? Status(JsonElement root) =>
        root.TryGetProperty("status", out var status) && status.ValueKind == JsonValueKind.Number && status.TryGetInt32(out var value) ? value : null;

    /// <summary>"code:message" of the first error of a Vantiq error body.</summary>
    public static string FirstError(JsonElement root)
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

    /// <summary>A query's reply address (<c>messageHeaders.REPLY_ADDR_HEADER</c>), or null.</summary>
    public static string? ReplyAddress(JsonElement query) =>
        query.TryGetProperty("messageHeaders", out var headers) && headers.ValueKind == JsonValueKind.Object
        && headers.TryGetProperty(ReplyHeader, out var header) && header.ValueKind == JsonValueKind.String
            ? header.GetString()
            : null;

    /// <summary>A query's WITH object as the server wrote it (UTF-8 JSON, parsed by the Python side as the
    /// original parsed it), or null when the frame has none.</summary>
    public static byte[]? QueryObject(JsonElement query) =>
        query.TryGetProperty("object", out var with) && with.ValueKind != JsonValueKind.Null ? JsonMarshal.GetRawUtf8Value(with).ToArray() : null;
}

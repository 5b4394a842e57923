using System.Buffers;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace EmbeddedPython.Vantiq.Protocol;

/// <summary>The frames a connector sends (Vantiq spec 1.3, 1.5), as UTF-8 JSON in the Python SDK's key order.</summary>
internal static class OutgoingFrames
{
    public const string ReplyAddressHeader = "X-Reply-Address";

    public static byte[] Validate(string? token) => Write(w =>
    {
        w.WriteString("op", "validate");
        w.WriteString("resourceName", "system.credentials");
        if (token is null)
            w.WriteNull("object");
        else
            w.WriteString("object", token);
    });

    public static byte[] ConnectExtension(string source, string reconnectSecret) => Write(w =>
    {
        w.WriteString("op", "connectExtension");
        w.WriteString("resourceName", "sources");
        w.WriteString("resourceId", source);
        w.WriteStartObject("parameters");
        w.WriteString("reconnectSecret", reconnectSecret);
        w.WriteEndObject();
    });

    /// <summary>A query response: 100/200 with <paramref name="bodyJson"/>, 204 without a body, 400 with an error
    /// object, whose text parameters (a traceback, say) are bounded.</summary>
    public static byte[] QueryResponse(int status, string replyAddress, string? bodyJson) => Write(w =>
    {
        if (status == 400 && bodyJson is not null)
            bodyJson = WithBoundedParameters(bodyJson);
        w.WriteNumber("status", status);
        w.WriteStartObject("headers");
        w.WriteString(ReplyAddressHeader, replyAddress);
        w.WriteEndObject();
        if (bodyJson is not null)
        {
            w.WritePropertyName("body");
            w.WriteRawValue(bodyJson);
        }
    });

    public static byte[] QueryError(string replyAddress, string messageCode, string messageTemplate, params object?[] parameters) => Write(w =>
    {
        w.WriteNumber("status", 400);
        w.WriteStartObject("headers");
        w.WriteString(ReplyAddressHeader, replyAddress);
        w.WriteEndObject();
        w.WriteStartObject("body");
        w.WriteString("messageCode", messageCode);
        w.WriteString("messageTemplate", messageTemplate);
        w.WritePropertyName("parameters");
        JsonSerializer.Serialize(w, parameters.Select(p => p is string text ? ErrorText.Bound(text) : p));
        w.WriteEndObject();
    });

    private static string WithBoundedParameters(string errorJson)
    {
        if (errorJson.Length <= ErrorText.DefaultMaxLength
            || JsonNode.Parse(errorJson) is not JsonObject error || error["parameters"] is not JsonArray parameters)
            return errorJson;
        for (var i = 0; i < parameters.Count; i++)
        {
            if (parameters[i] is JsonValue value && value.TryGetValue<string>(out var text) && text.Length > ErrorText.DefaultMaxLength)
                parameters[i] = ErrorText.Bound(text);
        }
        return error.ToJsonString();
    }

    public static byte[] Notification(string source, string objectJson) => Write(w =>
    {
        w.WriteString("op", "notification");
        w.WriteString("resourceName", "sources");
        w.WriteString("resourceId", source);
        w.WritePropertyName("object");
        w.WriteRawValue(objectJson);
    });

    private static byte[] Write(Action<Utf8JsonWriter> properties)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            properties(writer);
            writer.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }
}

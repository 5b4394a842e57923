using System.Text.Json;

namespace EmbeddedPython.WasmCloud.Wire;

/// <summary>
/// JSON forms of the control messages: the 0.x test harness (host id <c>_TEST_</c>) sends link definitions
/// and expects health answers as JSON (spec §4), and the shutdown request is always JSON.
/// </summary>
internal static class JsonEnvelopes
{
    /// <summary>Reads a link definition in the 0.x shape (<c>actor_id</c>, …) or the 1.x interface-link
    /// shape (<c>source_id</c>, <c>target</c>, <c>name</c>, …), which maps onto the same record.</summary>
    public static LinkDefinition ReadLink(JsonElement link)
    {
        if (link.ValueKind != JsonValueKind.Object)
            throw new FormatException($"a link definition must be a JSON object, not {link.ValueKind}");
        if (link.TryGetProperty("source_id", out _))
        {
            var config = Map(link, "target_config");
            return new LinkDefinition(Text(link, "source_id"), Text(link, "target"), TextOr(link, "name", "default"),
                Text(link, "wit_namespace") + ":" + Text(link, "wit_package"), config);
        }
        return new LinkDefinition(Text(link, "actor_id"), Text(link, "provider_id"), Text(link, "link_name"), Text(link, "contract_id"), Map(link, "values"));
    }

    public static LinkDefinition ParseLink(ReadOnlySpan<byte> json)
    {
        using var document = JsonDocument.Parse(json.ToArray());
        return ReadLink(document.RootElement);
    }

    public static byte[] WriteLink(LinkDefinition link) => JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object>
    {
        ["actor_id"] = link.ActorId,
        ["provider_id"] = link.ProviderId,
        ["link_name"] = link.LinkName,
        ["contract_id"] = link.ContractId,
        ["values"] = link.Values,
    });

    public static byte[] WriteHealth(HealthCheckResponse health) => health.Message is null
        ? JsonSerializer.SerializeToUtf8Bytes(new { healthy = health.Healthy })
        : JsonSerializer.SerializeToUtf8Bytes(new { healthy = health.Healthy, message = health.Message });

    /// <summary>The host id a shutdown request names; empty when the body is not JSON or names none
    /// (such requests shut down too, for backwards compatibility: spec §4).</summary>
    public static string ShutdownHostId(ReadOnlySpan<byte> body)
    {
        try
        {
            using var document = JsonDocument.Parse(body.ToArray());
            return document.RootElement.ValueKind == JsonValueKind.Object ? Text(document.RootElement, "host_id") : "";
        }
        catch (JsonException)
        {
            return "";
        }
    }

    public static string Text(JsonElement parent, string name) => TextOr(parent, name, "");

    private static string TextOr(JsonElement parent, string name, string fallback) =>
        parent.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString()! : fallback;

    public static Dictionary<string, string> Map(JsonElement parent, string name) =>
        parent.TryGetProperty(name, out var value) ? ToMap(value) : [];

    /// <summary>A JSON object as a string map (non-string values as their JSON text); anything else as empty.</summary>
    public static Dictionary<string, string> ToMap(JsonElement value)
    {
        var map = new Dictionary<string, string>();
        if (value.ValueKind != JsonValueKind.Object)
            return map;
        foreach (var property in value.EnumerateObject())
            map[property.Name] = property.Value.ValueKind == JsonValueKind.String ? property.Value.GetString()! : property.Value.GetRawText();
        return map;
    }

    /// <summary>The body of a 1.x <c>config.update</c>: the new merged config as a JSON object.</summary>
    public static Dictionary<string, string> ParseConfig(ReadOnlySpan<byte> json)
    {
        using var document = JsonDocument.Parse(json.ToArray());
        return ToMap(document.RootElement);
    }
}

using System.Net.Http.Headers;
using System.Text.Json;

namespace EmbeddedPython.Vantiq.Documents;

/// <summary>A Vantiq document's metadata (<c>GET /api/v1/resources/documents/&lt;name&gt;</c>).</summary>
internal sealed record DocumentInfo(long ContentSize, bool IsIncomplete, string? Content, string Modified);

/// <summary>An error the Vantiq server returned, relayed to the query unchanged (code, message, params).</summary>
internal sealed record VantiqError(string Code, string Message, object?[] Parameters);

/// <summary>Fetches documents over Vantiq's REST API with the connector's token (Vantiq spec 3.5).</summary>
internal sealed class DocumentClient
{
    private readonly HttpClient _http;
    private readonly Uri _base;
    private readonly string? _token;

    public DocumentClient(HttpClient http, Uri restBase, string? token)
    {
        _http = http;
        _base = restBase;
        _token = token;
    }

    public async Task<(DocumentInfo? Info, VantiqError? Error)> GetInfoAsync(string name, CancellationToken cancellationToken)
    {
        // Each path segment is escaped (the original concatenated the name as is); '/' keeps folder names working.
        var escaped = string.Join('/', name.Split('/').Select(Uri.EscapeDataString));
        using var response = await SendAsync(new Uri(_base, "api/v1/resources/documents/" + escaped), cancellationToken).ConfigureAwait(false);
        var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
            return (null, ServerError(response, text));
        using var json = JsonDocument.Parse(text);
        var root = json.RootElement;
        var modified = Text(root, "ars_modifiedAt") ?? Text(root, "ars_createdAt") ?? "";
        var size = root.TryGetProperty("contentSize", out var s) && s.ValueKind == JsonValueKind.Number ? s.GetInt64() : 0;
        var incomplete = root.TryGetProperty("isIncomplete", out var i) && i.ValueKind == JsonValueKind.True;
        return (new DocumentInfo(size, incomplete, Text(root, "content"), modified), null);
    }

    public async Task<(string? Content, VantiqError? Error)> GetContentAsync(string content, CancellationToken cancellationToken)
    {
        // content is a server-relative path (/docs/<name>) or a URL; a relative one keeps a path prefix of the base.
        var uri = Uri.TryCreate(content, UriKind.Absolute, out var absolute) && absolute.Scheme.StartsWith("http", StringComparison.Ordinal)
            ? absolute
            : new Uri(_base, content.TrimStart('/'));
        using var response = await SendAsync(uri, cancellationToken).ConfigureAwait(false);
        var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        return response.IsSuccessStatusCode ? (text, null) : (null, ServerError(response, text));
    }

    private Task<HttpResponseMessage> SendAsync(Uri uri, CancellationToken cancellationToken)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, uri);
        if (_token is not null)
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _token);
        return _http.SendAsync(request, cancellationToken);
    }

    /// <summary>The first error of Vantiq's error list, or a description of the HTTP failure.</summary>
    private static VantiqError ServerError(HttpResponseMessage response, string text)
    {
        try
        {
            using var json = JsonDocument.Parse(text);
            var first = json.RootElement.ValueKind == JsonValueKind.Array && json.RootElement.GetArrayLength() > 0
                ? json.RootElement[0]
                : json.RootElement;
            if (first.ValueKind == JsonValueKind.Object && Text(first, "code") is { } code)
            {
                var parameters = first.TryGetProperty("params", out var p) && p.ValueKind == JsonValueKind.Array
                    ? p.EnumerateArray().Select(e => (object?)e.Clone()).ToArray()
                    : [];
                return new VantiqError(code, Text(first, "message") ?? "", parameters);
            }
        }
        catch (JsonException)
        {
        }
        return new VantiqError("io.vantiq.pyexecsource.vantiqconnectfail", "Document request to {0} failed with HTTP {1}.",
            [response.RequestMessage?.RequestUri?.ToString(), (int)response.StatusCode]);
    }

    private static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}

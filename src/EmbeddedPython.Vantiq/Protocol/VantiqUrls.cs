namespace EmbeddedPython.Vantiq.Protocol;

/// <summary>The websocket and REST addresses derived from <c>targetServer</c> (Vantiq spec 1.1).</summary>
internal static class VantiqUrls
{
    private const string WebSocketPath = "api/v1/wsock/websocket";

    /// <summary>
    /// The Python connector's rule (http(s) becomes ws(s); a path that is not already
    /// <c>…/api/vN/wsock/websocket</c> gets that path) with two repairs: a host without a scheme means
    /// <c>wss://</c>, and a path prefix (a Vantiq behind a reverse proxy) is kept instead of dropped.
    /// </summary>
    public static Uri WebSocket(string targetServer)
    {
        var text = targetServer.Trim();
        if (!text.Contains("://", StringComparison.Ordinal))
            text = "wss://" + text;
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || string.IsNullOrEmpty(uri.Host))
            throw new ArgumentException($"targetServer '{targetServer}' is not a URL (expected e.g. https://dev.vantiq.com).", nameof(targetServer));
        var scheme = uri.Scheme.ToLowerInvariant() switch
        {
            var s when s.StartsWith("https", StringComparison.Ordinal) || s == "wss" => "wss",
            var s when s.StartsWith("http", StringComparison.Ordinal) || s == "ws" => "ws",
            _ => throw new ArgumentException($"targetServer '{targetServer}' must use http, https, ws or wss.", nameof(targetServer)),
        };
        var path = uri.AbsolutePath.TrimEnd('/');
        if (!System.Text.RegularExpressions.Regex.IsMatch(path, @"/api/v[0-9]+/wsock/websocket$"))
            path = path + "/" + WebSocketPath;
        var builder = new UriBuilder(uri) { Scheme = scheme, Path = path, Port = uri.IsDefaultPort ? -1 : uri.Port };
        return builder.Uri;
    }

    /// <summary>The REST base: scheme (wss→https, ws→http), host and port of the websocket URL, plus a
    /// path prefix in front of <c>/api/…</c> (the original dropped it).</summary>
    public static Uri RestBase(Uri webSocket)
    {
        var path = webSocket.AbsolutePath;
        var apiAt = path.LastIndexOf("/api/", StringComparison.Ordinal);
        var prefix = apiAt > 0 ? path[..apiAt] : "";
        var builder = new UriBuilder(webSocket)
        {
            Scheme = webSocket.Scheme == "wss" ? "https" : "http",
            Path = prefix + "/",
            Query = "",
            Fragment = "",
            Port = webSocket.IsDefaultPort ? -1 : webSocket.Port,
        };
        return builder.Uri;
    }
}

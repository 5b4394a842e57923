using System.Globalization;

namespace EmbeddedPython.Grpc.Client.Channels;

/// <summary>An <see cref="RemotePythonExecutorOptions.Address"/> read: the channel's target, whether it speaks TLS,
/// and for <c>static:</c> the fixed list of servers.</summary>
internal sealed record RemoteAddress(Uri Target, bool Tls, bool Balanced, IReadOnlyList<(string Host, int Port)> StaticEndpoints)
{
    public const string StaticScheme = "static";
    public const string DnsScheme = "dns";

    /// <summary>Reads <paramref name="address"/>; <paramref name="error"/> says what is wrong with it.</summary>
    public static RemoteAddress? Parse(string? address, bool useTls, out string? error)
    {
        error = null;
        if (string.IsNullOrWhiteSpace(address))
        {
            error = "Address is required: dns:///host:port, static:///host:port,host:port, http://host:port or https://host:port.";
            return null;
        }
        var colon = address.IndexOf(':', StringComparison.Ordinal);
        var scheme = colon < 0 ? "" : address[..colon].ToLowerInvariant();
        switch (scheme)
        {
            case "http" or "https" when Uri.TryCreate(address, UriKind.Absolute, out var uri) && uri.Port > 0:
                if (scheme == "http" && useTls)
                    error = $"Address '{address}' is http:// but UseTls is set: use an https:// address.";
                return new RemoteAddress(uri, scheme == "https", Balanced: false, []);
            case DnsScheme when address.StartsWith("dns:///", StringComparison.OrdinalIgnoreCase) && Endpoint(address[7..]) is not null:
                return new RemoteAddress(new Uri(address), useTls, Balanced: true, []);
            case StaticScheme when address.StartsWith("static:///", StringComparison.OrdinalIgnoreCase):
                var endpoints = address[10..].Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Select(Endpoint).ToList();
                if (endpoints.Count == 0 || endpoints.Any(e => e is null))
                    break;
                return new RemoteAddress(new Uri("static:///python"), useTls, Balanced: true, endpoints.Select(e => e!.Value).ToList());
        }
        error = $"Address '{address}' is not one of dns:///host:port, static:///host:port,host:port, http://host:port or https://host:port.";
        return null;
    }

    private static (string Host, int Port)? Endpoint(string text)
    {
        var colon = text.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(text.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535)
            return null;
        var host = text[..colon].Trim('[', ']');
        return host.Length == 0 || host.Contains('/') ? null : (host, port);
    }
}

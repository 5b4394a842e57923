using System.Globalization;

namespace EmbeddedPython.Autokitteh.Protocol;

/// <summary>A worker address <c>host:port</c> as autokitteh's runner accepts it.</summary>
internal readonly record struct WorkerAddress(string Host, int Port, string? Error)
{
    public static WorkerAddress Parse(string text)
    {
        var colon = text.LastIndexOf(':');
        if (colon < 0)
            return Fail($"'{text}' is not host:port");
        var host = text[..colon];
        if (host.Length == 0)
            return Fail($"'{text}' has no host");
        if (!int.TryParse(text[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535)
            return Fail($"'{text}' has no valid port");
        return new WorkerAddress(host, port, null);
    }

    /// <summary>The channel address. .NET refuses to dial 0.0.0.0, which Linux routes to loopback; so do we.</summary>
    public Uri ToUri() => new($"http://{(Host is "0.0.0.0" or "[::]" ? "127.0.0.1" : Host)}:{Port}");

    private static WorkerAddress Fail(string error) => new("", 0, error);
}

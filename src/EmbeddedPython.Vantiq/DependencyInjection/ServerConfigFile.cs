using System.Text.Json;

namespace EmbeddedPython.Vantiq.DependencyInjection;

/// <summary>Fills <see cref="VantiqConnectorOptions"/> from the original connector's <c>server.config</c>
/// and environment (Vantiq spec 2): settings made in .NET configuration win over the file.</summary>
internal static class ServerConfigFile
{
    public const string TokenVariable = "CONNECTOR_AUTH_TOKEN";

    /// <summary>The file to read: the configured one, else <c>serverConfig/server.config</c>, else <c>server.config</c>.</summary>
    public static string? Locate(VantiqConnectorOptions options)
    {
        if (options.ServerConfigFile is { } configured)
            return configured;
        var nested = Path.Combine("serverConfig", "server.config");
        if (File.Exists(nested))
            return nested;
        return File.Exists("server.config") ? "server.config" : null;
    }

    public static void Apply(VantiqConnectorOptions options)
    {
        if (Locate(options) is { } path)
        {
            if (!File.Exists(path))
                throw new FileNotFoundException($"The Vantiq server.config file '{Path.GetFullPath(path)}' does not exist.", path);
            Apply(options, JavaProperties.Parse(File.ReadAllText(path)));
        }
        options.AuthToken ??= Environment.GetEnvironmentVariable(TokenVariable) is { Length: > 0 } token ? token : null;
    }

    public static void Apply(VantiqConnectorOptions options, IReadOnlyDictionary<string, string> file)
    {
        if (file.TryGetValue("targetServer", out var target) && options.TargetServer is null)
            options.TargetServer = target;
        if (file.TryGetValue("authToken", out var token) && options.AuthToken is null)
            options.AuthToken = token;
        // The original removes every space, not only the ends, before splitting.
        if (file.TryGetValue("sources", out var sources) && options.Sources.Count == 0)
            options.Sources = sources.Replace(" ", "", StringComparison.Ordinal).Split(',', StringSplitOptions.RemoveEmptyEntries).ToList();
        // Booleans are parsed as booleans: the original took any value of sendPings (even "false") as on.
        if (file.TryGetValue("sendPings", out var pings) && options.SendPings is null)
            options.SendPings = IsTrue(pings);
        if (file.TryGetValue("failOnConnectionError", out var fail) && options.FailOnConnectionError is null)
            options.FailOnConnectionError = IsTrue(fail);
        if (file.TryGetValue("reconnectSecret", out var secret) && options.ReconnectSecret is null)
            options.ReconnectSecret = secret;
        if (file.TryGetValue("tcpProbePort", out var port) && options.TcpProbePort is null)
            options.TcpProbePort = int.TryParse(port, out var number) ? number
                : throw new FormatException($"server.config: tcpProbePort '{port}' is not a port number.");
        if (file.TryGetValue("connectKWArgs", out var kwargs) && options.DisableSslVerification is null)
            options.DisableSslVerification = DisablesSslVerification(kwargs);
    }

    /// <summary>True for yes/true/t/1 in any case, the rule the connector uses for its other booleans.</summary>
    public static bool IsTrue(string text) => text.Trim().ToLowerInvariant() is "yes" or "true" or "t" or "1";

    private static bool DisablesSslVerification(string json)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
                throw new FormatException("connectKWArgs did not contain valid JSON string.");
            return document.RootElement.TryGetProperty("disableSslVerification", out var value) && value.ValueKind == JsonValueKind.True;
        }
        catch (JsonException e)
        {
            throw new FormatException("connectKWArgs did not contain valid JSON string.", e);
        }
    }
}

using System.Text;
using System.Text.Json;
using EmbeddedPython.WasmCloud.Wire;

namespace EmbeddedPython.WasmCloud.Hosting;

/// <summary>
/// What the wasmCloud host tells a provider at start: one line on stdin holding base64 of a JSON object
/// (spec §3). Both the 0.x field set and the 1.x additions (spec §12) are read; unknown keys are ignored
/// and JSON null counts as absent.
/// </summary>
internal sealed record HostData
{
    /// <summary>The host id the 0.x test harness uses: control messages are then JSON, not msgpack.</summary>
    public const string TestHostId = "_TEST_";

    public string HostId { get; init; } = "";
    public string LatticeRpcPrefix { get; init; } = "default";
    public string LinkName { get; init; } = "default";
    public string LatticeRpcUserJwt { get; init; } = "";
    public string LatticeRpcUserSeed { get; init; } = "";
    public string LatticeRpcUrl { get; init; } = "";
    public bool LatticeRpcTls { get; init; }
    public string ProviderKey { get; init; } = "";
    public string InvocationSeed { get; init; } = "";
    public IReadOnlyDictionary<string, string> EnvValues { get; init; } = new Dictionary<string, string>();
    public string InstanceId { get; init; } = "";
    public IReadOnlyList<LinkDefinition> LinkDefinitions { get; init; } = [];
    public IReadOnlyList<string> ClusterIssuers { get; init; } = [];
    public string? ConfigJson { get; init; }
    public ulong DefaultRpcTimeoutMs { get; init; } = 2000;
    public bool StructuredLogging { get; init; }
    public string? LogLevel { get; init; }
    public string? JsDomain { get; init; }
    /// <summary>1.x: the merged named configuration (where <c>python_main</c> etc. live, since a 1.x host clears the environment).</summary>
    public IReadOnlyDictionary<string, string> Config { get; init; } = new Dictionary<string, string>();
    /// <summary>1.1+: the provider's xkey seed; when present the host sends link puts to its public key's subject.</summary>
    public string ProviderXkeyPrivateKey { get; init; } = "";

    public bool IsTestHarness => HostId == TestHostId;

    /// <summary>The NATS address: OTP hosts send <c>host:port</c> without a scheme, empty means the default.</summary>
    public string NatsUrl => LatticeRpcUrl switch
    {
        "" => "nats://127.0.0.1:4222",
        var url when url.Contains("://", StringComparison.Ordinal) => url,
        var url => (LatticeRpcTls ? "tls://" : "nats://") + url,
    };

    /// <summary>Parses the HostData line.</summary>
    /// <exception cref="FormatException">The line is not base64 of a JSON object; the message says which part failed.</exception>
    public static HostData Parse(string? line)
    {
        var text = line?.Trim() ?? "";
        if (text.Length == 0)
            throw new FormatException("HostData: the host sent an empty line on stdin (expected base64 of a JSON object)");
        byte[] json;
        try
        {
            // The Rust test harness omits base64 padding (spec §3).
            json = Convert.FromBase64String(text.PadRight(text.Length + (4 - text.Length % 4) % 4, '='));
        }
        catch (FormatException)
        {
            throw new FormatException($"HostData: the stdin line is not standard base64 (starts with \"{Shorten(text)}\")");
        }
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json);
        }
        catch (JsonException e)
        {
            throw new FormatException($"HostData: the decoded line is not JSON ({e.Message}); it starts with \"{Shorten(Encoding.UTF8.GetString(json))}\"", e);
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                throw new FormatException($"HostData: expected a JSON object, found {root.ValueKind}");
            return new HostData
            {
                HostId = Text(root, "host_id"),
                LatticeRpcPrefix = Text(root, "lattice_rpc_prefix") is { Length: > 0 } prefix ? prefix : "default",
                LinkName = Text(root, "link_name") is { Length: > 0 } link ? link : "default",
                LatticeRpcUserJwt = Text(root, "lattice_rpc_user_jwt"),
                LatticeRpcUserSeed = Text(root, "lattice_rpc_user_seed"),
                LatticeRpcUrl = Text(root, "lattice_rpc_url"),
                LatticeRpcTls = Bool(root, "lattice_rpc_tls"),
                ProviderKey = Text(root, "provider_key"),
                InvocationSeed = Text(root, "invocation_seed"),
                EnvValues = JsonEnvelopes.Map(root, "env_values"),
                InstanceId = Text(root, "instance_id"),
                LinkDefinitions = Links(root),
                ClusterIssuers = Strings(root, "cluster_issuers"),
                ConfigJson = Text(root, "config_json") is { Length: > 0 } config ? config : null,
                DefaultRpcTimeoutMs = root.TryGetProperty("default_rpc_timeout_ms", out var timeout) && timeout.TryGetUInt64(out var ms) ? ms : 2000,
                StructuredLogging = Bool(root, "structured_logging") || Bool(root, "enable_structured_logging"),
                LogLevel = Text(root, "log_level") is { Length: > 0 } level ? level : null,
                JsDomain = Text(root, "js_domain") is { Length: > 0 } domain ? domain : null,
                Config = JsonEnvelopes.Map(root, "config"),
                ProviderXkeyPrivateKey = Text(root, "provider_xkey_private_key"),
            };
        }
    }

    /// <summary>Base64 of this HostData as JSON, the way a host writes it (used by tests and tools that start a provider).</summary>
    public string ToBase64Line() => Convert.ToBase64String(JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object?>
    {
        ["host_id"] = HostId,
        ["lattice_rpc_prefix"] = LatticeRpcPrefix,
        ["link_name"] = LinkName,
        ["lattice_rpc_user_jwt"] = LatticeRpcUserJwt,
        ["lattice_rpc_user_seed"] = LatticeRpcUserSeed,
        ["lattice_rpc_url"] = LatticeRpcUrl,
        ["provider_key"] = ProviderKey,
        ["invocation_seed"] = InvocationSeed,
        ["env_values"] = EnvValues,
        ["instance_id"] = InstanceId,
        ["link_definitions"] = LinkDefinitions.Select(link => JsonDocument.Parse(JsonEnvelopes.WriteLink(link)).RootElement).ToList(),
        ["cluster_issuers"] = ClusterIssuers,
        ["config_json"] = ConfigJson,
        ["default_rpc_timeout_ms"] = DefaultRpcTimeoutMs,
        ["structured_logging"] = StructuredLogging,
        ["log_level"] = LogLevel,
        ["config"] = Config,
        ["provider_xkey_private_key"] = ProviderXkeyPrivateKey,
    }));

    private static string Text(JsonElement root, string name) => JsonEnvelopes.Text(root, name);

    private static bool Bool(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.True;

    private static string[] Strings(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Array
            ? value.EnumerateArray().Where(item => item.ValueKind == JsonValueKind.String).Select(item => item.GetString()!).ToArray()
            : [];

    private static LinkDefinition[] Links(JsonElement root)
    {
        if (!root.TryGetProperty("link_definitions", out var links) || links.ValueKind != JsonValueKind.Array)
            return [];
        try
        {
            return links.EnumerateArray().Select(JsonEnvelopes.ReadLink).ToArray();
        }
        catch (FormatException e)
        {
            throw new FormatException("HostData: link_definitions: " + e.Message, e);
        }
    }

    private static string Shorten(string text) => text.Length <= 24 ? text : text[..24] + "…";
}

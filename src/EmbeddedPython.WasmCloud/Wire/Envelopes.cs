namespace EmbeddedPython.WasmCloud.Wire;

/// <summary>An actor or provider as wasmbus 0.x names it (spec §5).</summary>
internal sealed record WasmCloudEntity(string PublicKey, string LinkName, string ContractId)
{
    public static readonly WasmCloudEntity Empty = new("", "", "");

    /// <summary>Actors have a module key (<c>M…</c>); everything else is a provider.</summary>
    public bool IsActor => PublicKey.StartsWith('M');
}

/// <summary>A call into the provider (spec §5). <see cref="Message"/> is empty when the body was chunked
/// (<see cref="ContentLength"/> then gives the full size).</summary>
internal sealed record Invocation(
    WasmCloudEntity Origin,
    WasmCloudEntity Target,
    string Operation,
    byte[] Message,
    string Id,
    string EncodedClaims,
    string HostId,
    ulong? ContentLength = null,
    IReadOnlyDictionary<string, string>? TraceContext = null)
{
    /// <summary>True when the argument travels through the object store instead of <see cref="Message"/>.</summary>
    public bool IsChunked => ContentLength is { } length && length > (ulong)Message.Length;
}

/// <summary>The answer to an invocation (spec §5). When <see cref="Error"/> is set the caller ignores the message.</summary>
internal sealed record InvocationResponse(byte[] Message, string InvocationId, string? Error = null, ulong? ContentLength = null)
{
    public static InvocationResponse Failure(string invocationId, string error) => new([], invocationId, error, 0);
}

/// <summary>A link between an actor and this provider (spec §5; the 1.x interface link maps onto it, spec §12).</summary>
internal sealed record LinkDefinition(string ActorId, string ProviderId, string LinkName, string ContractId, IReadOnlyDictionary<string, string> Values);

/// <summary>The answer to a health request.</summary>
internal sealed record HealthCheckResponse(bool Healthy, string? Message = null);

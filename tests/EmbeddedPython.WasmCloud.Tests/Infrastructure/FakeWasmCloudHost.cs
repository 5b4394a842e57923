using System.Text.Json;
using EmbeddedPython.WasmCloud.Bus;
using EmbeddedPython.WasmCloud.Hosting;
using EmbeddedPython.WasmCloud.Wire;
using NATS.Client.Core;
using NATS.Client.JetStream;
using NATS.Client.ObjectStore;
using NATS.NKeys;

namespace EmbeddedPython.WasmCloud.Tests.Infrastructure;

/// <summary>
/// Plays the wasmCloud 0.x host and its actors over real NATS, written from the spec (§3–§9): it owns a
/// cluster key that signs invocations, publishes link definitions, sends health and shutdown requests,
/// and moves large bodies through the lattice's object store.
/// </summary>
public sealed class FakeWasmCloudHost : IAsyncDisposable
{
    public const string Contract = "wasmcloud:example:python";
    public const int ChunkThreshold = 900 * 1024;

    private readonly InvocationSigner _signer = new();

    // Invocations always carry a host key, also from the test harness whose HostData says "_TEST_".
    private readonly string _invokingHost = InvocationSigner.NewKey((byte)PrefixByte.Server);
    private INatsObjStore? _store;

    public FakeWasmCloudHost(string natsUrl, bool testHarness = false, string linkName = "default", KeyPair? user = null)
    {
        Nats = new NatsConnection(NatsOpts.Default with
        {
            Url = natsUrl,
            AuthOpts = user is null ? NatsAuthOpts.Default : NatsAuthOpts.Default with { NKey = user.GetPublicKey(), Seed = user.GetSeed() },
            MaxReconnectRetry = -1,
            ReconnectWaitMin = TimeSpan.FromMilliseconds(100),
            ReconnectWaitMax = TimeSpan.FromMilliseconds(500),
        });
        HostId = testHarness ? HostData.TestHostId : InvocationSigner.NewKey((byte)PrefixByte.Server);
        LinkName = linkName;
    }

    public NatsConnection Nats { get; }

    public string HostId { get; }

    public string ClusterKey => _signer.ClusterKey;

    public string ProviderKey { get; } = InvocationSigner.NewKey(InvocationSigner.Service);

    /// <summary>Each fake host has its own lattice, so tests never see each other's subjects or objects.</summary>
    public string Lattice { get; } = "lattice" + Guid.NewGuid().ToString("N")[..12];

    public string LinkName { get; }

    /// <summary>The provider's xkey (1.1+ hosts hand one over and send link puts to its public key).</summary>
    public KeyPair ProviderXkey { get; } = KeyPair.CreatePair(PrefixByte.Curve);

    /// <summary>Subjects of a 1.x host: <c>wasmbus.rpc.&lt;lattice&gt;.&lt;provider id&gt;</c>.</summary>
    public string Subject1x => $"wasmbus.rpc.{Lattice}.{ProviderKey}";

    public string Subject => $"wasmbus.rpc.{Lattice}.{ProviderKey}.{LinkName}";

    public static string NewActor() => InvocationSigner.NewKey(InvocationSigner.Module);

    internal HostData CreateHostData(string natsUrl, params string[] linkedActors) => new()
    {
        HostId = HostId,
        LatticeRpcPrefix = Lattice,
        LinkName = LinkName,
        LatticeRpcUrl = natsUrl,
        ProviderKey = ProviderKey,
        InstanceId = Guid.NewGuid().ToString(),
        ClusterIssuers = [ClusterKey],
        LinkDefinitions = linkedActors.Select(Link).ToList(),
        ProviderXkeyPrivateKey = ProviderXkey.GetSeed(),
    };

    internal LinkDefinition Link(string actor) => new(actor, ProviderKey, LinkName, Contract, new Dictionary<string, string>());

    public async Task PutLinkAsync(string actor, bool asJson = false)
    {
        var link = Link(actor);
        await Nats.PublishAsync(Subject + ".linkdefs.put", asJson ? JsonEnvelopes.WriteLink(link) : EnvelopeCodec.EncodeLink(link));
        await Nats.PingAsync();
    }

    public async Task DeleteLinkAsync(string actor)
    {
        await Nats.PublishAsync(Subject + ".linkdefs.del", EnvelopeCodec.EncodeLink(Link(actor)));
        await Nats.PingAsync();
    }

    /// <summary>An invocation from <paramref name="actor"/>, signed by the cluster key.</summary>
    internal Invocation Invocation(string actor, string operation, byte[] message, string? id = null)
    {
        var invocation = new Invocation(
            new WasmCloudEntity(actor, "", ""),
            new WasmCloudEntity(ProviderKey, LinkName, Contract),
            operation, message, id ?? Guid.NewGuid().ToString("N"), "", _invokingHost);
        return invocation with { EncodedClaims = _signer.Sign(invocation, message) };
    }

    /// <summary>CBOR-encodes the argument with the 0x7f prefix, as an actor's sender does (spec §6).</summary>
    public static byte[] CborArgument(object? value) => [MessageFormat.CborPrefix, .. CborValues.Encode(value)];

    /// <summary>Calls the provider and decodes the CBOR result; throws with the provider's error text.</summary>
    public async Task<object?> CallAsync(string actor, string operation, object? argument, TimeSpan? timeout = null)
    {
        var response = await SendAsync(Invocation(actor, operation, CborArgument(argument)), timeout);
        if (response.Error is { } error)
            throw new InvalidOperationException(error);
        return response.Message.Length == 0 ? null : CborValues.Decode(response.Message);
    }

    /// <summary>Sends an invocation as the host does: chunked through the object store above the threshold,
    /// and a chunked response fetched (and deleted) from it.</summary>
    internal async Task<InvocationResponse> SendAsync(Invocation invocation, TimeSpan? timeout = null)
    {
        if (invocation.Message.Length > ChunkThreshold)
        {
            await (await StoreAsync()).PutAsync(invocation.Id, invocation.Message);
            invocation = invocation with { Message = [], ContentLength = (ulong)invocation.Message.Length };
        }
        var reply = await RequestAsync(Subject, EnvelopeCodec.EncodeInvocation(invocation), timeout ?? TimeSpan.FromSeconds(10));
        var response = EnvelopeCodec.DecodeResponse(reply);
        if (response.Error is null && response.ContentLength is { } length && length > (ulong)response.Message.Length)
        {
            var store = await StoreAsync();
            var name = invocation.Id + "-r";
            response = response with { Message = await store.GetBytesAsync(name) };
            await store.DeleteAsync(name);
        }
        return response;
    }

    internal async Task<INatsObjStore> StoreAsync() =>
        _store ??= await new NatsObjContext(new NatsJSContext(Nats)).CreateObjectStoreAsync(new NatsObjConfig(Lattice));

    public async Task<byte[]> RequestAsync(string subject, byte[] body, TimeSpan timeout)
    {
        var reply = await Nats.RequestAsync<byte[], byte[]>(subject, body, replyOpts: new NatsSubOpts { Timeout = timeout });
        return reply.Data ?? [];
    }

    /// <summary>Calls the provider as a 1.x component would, over wRPC: handshake with the first
    /// <paramref name="firstPart"/> bytes of the parameters, the rest on the server's params subject, then
    /// the result read from our results subject until its closing empty message.</summary>
    public Task<(byte[] Ok, string? Error)> WrpcCallAsync(string operation, byte[] payload, int firstPart = int.MaxValue) =>
        WrpcCallAsync(DispatchCall.WriteParameters(operation, payload), firstPart);

    /// <summary>The same with the parameter bytes as given (to send malformed ones).</summary>
    public async Task<(byte[] Ok, string? Error)> WrpcCallAsync(byte[] parameters, int firstPart = int.MaxValue)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var inbox = WrpcServer.NewInbox();
        await using var handshake = await Nats.SubscribeCoreAsync<byte[]>(inbox, cancellationToken: timeout.Token);
        await using var results = await Nats.SubscribeCoreAsync<byte[]>(inbox + ".results", cancellationToken: timeout.Token);
        var limit = (int)Nats.ServerInfo!.MaxPayload - inbox.Length;
        var first = Math.Min(parameters.Length, Math.Min(firstPart, limit));
        await Nats.PublishAsync(WrpcServer.Subject($"{Lattice}.{ProviderKey}"), parameters[..first], replyTo: inbox, cancellationToken: timeout.Token);
        var accepted = await handshake.Msgs.ReadAsync(timeout.Token);
        var server = accepted.ReplyTo ?? throw new InvalidOperationException("the handshake answer has no reply subject");
        for (var offset = first; offset < parameters.Length; offset += limit)
            await Nats.PublishAsync(server + ".params", parameters[offset..Math.Min(parameters.Length, offset + limit)], cancellationToken: timeout.Token);
        await Nats.PublishAsync(server + ".params", Array.Empty<byte>(), cancellationToken: timeout.Token);
        var received = new List<byte>();
        while ((await results.Msgs.ReadAsync(timeout.Token)).Data is { Length: > 0 } part)
            received.AddRange(part);
        return DispatchCall.TryReadResult(received.ToArray(), out var ok, out var error)
            ? (ok, error)
            : throw new InvalidOperationException($"the result stream closed after {received.Count} bytes, before the result was complete");
    }

    public Task<byte[]> HealthAsync(bool asJson = false) =>
        RequestAsync(Subject + ".health", asJson ? "{}"u8.ToArray() : EnvelopeCodec.EncodeHealth(new HealthCheckResponse(true)), TimeSpan.FromSeconds(5));

    public Task<byte[]> ShutdownAsync(string hostId) =>
        RequestAsync(Subject + ".shutdown", JsonSerializer.SerializeToUtf8Bytes(new { host_id = hostId }), TimeSpan.FromSeconds(5));

    public async ValueTask DisposeAsync()
    {
        _signer.Dispose();
        ProviderXkey.Dispose();
        await Nats.DisposeAsync();
    }
}

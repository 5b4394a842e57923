using EmbeddedPython.WasmCloud.Tests.Infrastructure;
using EmbeddedPython.WasmCloud.Wire;
using NATS.Client.ObjectStore;

namespace EmbeddedPython.WasmCloud.Tests.Bus;

/// <summary>Bodies above 900 KiB travel through the lattice's JetStream object store (spec §8).</summary>
[Collection(LatticeCollection.Name)]
public sealed class ChunkingTests(LatticeFixture lattice)
{
    [Fact]
    public async Task A_large_result_is_stored_as_the_invocation_id_with_r_and_the_reply_carries_only_its_length()
    {
        await using var provider = await RunningProvider.StartLinkedAsync(lattice);
        var (host, actor) = (provider.Host, provider.Actor);
        var invocation = host.Invocation(actor, "Python.big_response", FakeWasmCloudHost.CborArgument(1_000_000L));

        var raw = EnvelopeCodec.DecodeResponse(await host.RequestAsync(host.Subject, EnvelopeCodec.EncodeInvocation(invocation), TimeSpan.FromSeconds(30)));
        Assert.Null(raw.Error);
        Assert.Empty(raw.Message);
        var stored = await (await host.StoreAsync()).GetBytesAsync(invocation.Id + "-r");
        Assert.Equal((ulong)stored.Length, raw.ContentLength);
        Assert.Equal(new string('x', 1_000_000), CborValues.Decode(stored));
    }

    [Fact]
    public async Task A_10_MB_payload_goes_through_chunking_both_ways_and_the_objects_are_removed()
    {
        await using var provider = await RunningProvider.StartLinkedAsync(lattice);
        var (host, actor) = (provider.Host, provider.Actor);
        var payload = new byte[10 * 1024 * 1024];
        Random.Shared.NextBytes(payload);
        var invocation = host.Invocation(actor, "Python.echo", FakeWasmCloudHost.CborArgument(payload));

        var response = await host.SendAsync(invocation, TimeSpan.FromSeconds(60));

        Assert.Null(response.Error);
        Assert.Equal(payload, CborValues.Decode(response.Message));
        var store = await host.StoreAsync();
        await Assert.ThrowsAnyAsync<NatsObjException>(() => store.GetInfoAsync(invocation.Id).AsTask());
        await Assert.ThrowsAnyAsync<NatsObjException>(() => store.GetInfoAsync(invocation.Id + "-r").AsTask());
    }

    [Fact]
    public async Task A_chunked_argument_missing_from_the_store_is_an_error_not_a_silence()
    {
        await using var provider = await RunningProvider.StartLinkedAsync(lattice);
        var (host, actor) = (provider.Host, provider.Actor);
        var invocation = host.Invocation(actor, "Python.length", []) with { ContentLength = 2_000_000 };
        await host.StoreAsync();

        var response = EnvelopeCodec.DecodeResponse(await host.RequestAsync(host.Subject, EnvelopeCodec.EncodeInvocation(invocation), TimeSpan.FromSeconds(10)));
        Assert.StartsWith($"could not read the chunked argument '{invocation.Id}'", response.Error);
    }
}

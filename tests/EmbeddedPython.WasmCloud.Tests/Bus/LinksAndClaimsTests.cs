using EmbeddedPython.WasmCloud.Tests.Infrastructure;
using EmbeddedPython.WasmCloud.Wire;

namespace EmbeddedPython.WasmCloud.Tests.Bus;

/// <summary>Link definitions and anti-forgery claims over the real bus (spec §4, §9).</summary>
[Collection(LatticeCollection.Name)]
public sealed class LinksAndClaimsTests(LatticeFixture lattice)
{
    [Fact]
    public async Task An_unlinked_actor_is_refused_until_the_host_puts_its_link_and_again_after_deleting_it()
    {
        await using var host = new FakeWasmCloudHost(lattice.Nats.Url);
        await using var provider = await RunningProvider.StartAsync(lattice, host, []);
        var actor = FakeWasmCloudHost.NewActor();

        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => host.CallAsync(actor, "hello", "Sam"));
        Assert.Equal($"unlinked actor: '{actor}'", refused.Message);

        await host.PutLinkAsync(actor);
        Assert.Equal("Hello Sam!", await host.CallAsync(actor, "hello", "Sam"));

        await host.DeleteLinkAsync(actor);
        await Assert.ThrowsAsync<InvalidOperationException>(() => host.CallAsync(actor, "hello", "Sam"));
    }

    [Fact]
    public async Task A_duplicate_link_put_is_ignored_and_the_test_harness_sends_links_as_JSON()
    {
        await using var host = new FakeWasmCloudHost(lattice.Nats.Url, testHarness: true);
        var actor = FakeWasmCloudHost.NewActor();
        await using var provider = await RunningProvider.StartAsync(lattice, host, [actor]);
        var other = FakeWasmCloudHost.NewActor();

        await host.PutLinkAsync(actor);
        await host.PutLinkAsync(other, asJson: true);
        await host.PutLinkAsync(other, asJson: true);

        Assert.Equal(new[] { actor, other }.Order(), provider.Provider.LinkedActors.Order());
        Assert.Equal("Hello Bo!", await host.CallAsync(other, "hello", "Bo"));
    }

    [Fact]
    public async Task A_tampered_argument_and_a_foreign_signature_are_refused_over_the_bus()
    {
        await using var provider = await RunningProvider.StartLinkedAsync(lattice);
        var (host, actor) = (provider.Host, provider.Actor);

        var tampered = host.Invocation(actor, "factorial", FakeWasmCloudHost.CborArgument(3L)) with { Message = FakeWasmCloudHost.CborArgument(20L) };
        Assert.Contains("hash does not match", (await host.SendAsync(tampered)).Error);

        await using var stranger = new FakeWasmCloudHost(lattice.Nats.Url);
        var foreign = stranger.Invocation(actor, "factorial", FakeWasmCloudHost.CborArgument(3L));
        var retargeted = foreign with { Target = host.Invocation(actor, "x", []).Target };
        Assert.StartsWith("invalid claims", (await host.SendAsync(retargeted)).Error);
    }

    [Fact]
    public async Task With_claims_verification_off_an_unsigned_invocation_is_served()
    {
        await using var provider = await RunningProvider.StartLinkedAsync(lattice, options => options.VerifyClaims = false);
        var (host, actor) = (provider.Host, provider.Actor);

        var unsigned = host.Invocation(actor, "factorial", FakeWasmCloudHost.CborArgument(5L)) with { EncodedClaims = "" };
        var response = await host.SendAsync(unsigned);
        Assert.Null(response.Error);
        Assert.Equal(120L, CborValues.Decode(response.Message));
    }
}

using System.Text;
using System.Text.Json;
using EmbeddedPython.WasmCloud.Tests.Infrastructure;
using EmbeddedPython.WasmCloud.Wire;
using NATS.Client.Core;

namespace EmbeddedPython.WasmCloud.Tests.Bus;

/// <summary>The host's control requests (spec §3, §4).</summary>
[Collection(LatticeCollection.Name)]
public sealed class HealthAndShutdownTests(LatticeFixture lattice)
{
    [Fact]
    public async Task A_health_request_is_answered_healthy_in_msgpack()
    {
        await using var host = new FakeWasmCloudHost(lattice.Nats.Url);
        await using var provider = await RunningProvider.StartAsync(lattice, host, []);

        Assert.Equal(new HealthCheckResponse(true), EnvelopeCodec.DecodeHealth(await host.HealthAsync()));
    }

    [Fact]
    public async Task The_test_harness_gets_its_health_answer_in_JSON()
    {
        await using var host = new FakeWasmCloudHost(lattice.Nats.Url, testHarness: true);
        await using var provider = await RunningProvider.StartAsync(lattice, host, []);

        using var answer = JsonDocument.Parse(await host.HealthAsync(asJson: true));
        Assert.True(answer.RootElement.GetProperty("healthy").GetBoolean());
    }

    [Fact]
    public async Task A_shutdown_for_another_host_is_ignored_and_one_for_this_host_is_acknowledged()
    {
        await using var provider = await RunningProvider.StartLinkedAsync(lattice);
        var (host, actor) = (provider.Host, provider.Actor);

        await Assert.ThrowsAnyAsync<NatsException>(() => host.ShutdownAsync("NSOMEOTHERHOST"));
        Assert.False(provider.Provider.ShutdownRequested.IsCompleted);
        Assert.Equal(6L, await host.CallAsync(actor, "factorial", 3L));

        Assert.Equal("shutting down", Encoding.UTF8.GetString(await host.ShutdownAsync(host.HostId)));
        await provider.Provider.ShutdownRequested.WaitAsync(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task A_shutdown_naming_no_host_is_obeyed_for_backwards_compatibility()
    {
        await using var host = new FakeWasmCloudHost(lattice.Nats.Url);
        await using var provider = await RunningProvider.StartAsync(lattice, host, []);

        var reply = await host.RequestAsync(host.Subject + ".shutdown", "not json"u8.ToArray(), TimeSpan.FromSeconds(5));
        Assert.Equal("shutting down", Encoding.UTF8.GetString(reply));
        Assert.True(provider.Provider.ShutdownRequested.IsCompleted);
    }
}

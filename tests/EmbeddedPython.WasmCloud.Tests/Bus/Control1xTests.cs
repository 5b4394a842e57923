using System.Text;
using System.Text.Json;
using EmbeddedPython.WasmCloud.Tests.Infrastructure;
using NATS.Client.Core;

namespace EmbeddedPython.WasmCloud.Tests.Bus;

/// <summary>The JSON control subjects of a wasmCloud 1.x host (spec §12).</summary>
[Collection(LatticeCollection.Name)]
public sealed class Control1xTests(LatticeFixture lattice)
{
    [Fact]
    public async Task A_1x_health_request_is_answered_in_JSON()
    {
        await using var host = new FakeWasmCloudHost(lattice.Nats.Url);
        await using var provider = await RunningProvider.StartAsync(lattice, host, []);

        using var answer = JsonDocument.Parse(await host.RequestAsync(host.Subject1x + ".health", [], TimeSpan.FromSeconds(5)));
        Assert.True(answer.RootElement.GetProperty("healthy").GetBoolean());
    }

    [Fact]
    public async Task Interface_links_are_put_on_the_xkey_subject_and_deleted_on_the_provider_subject()
    {
        await using var host = new FakeWasmCloudHost(lattice.Nats.Url);
        await using var provider = await RunningProvider.StartAsync(lattice, host, []);
        var link = JsonSerializer.SerializeToUtf8Bytes(new
        {
            source_id = "http-component",
            target = host.ProviderKey,
            name = "default",
            wit_namespace = "wasmcloud",
            wit_package = "python",
            interfaces = new[] { "dispatch" },
            source_config = new { },
            target_config = new { },
        });

        await host.Nats.PublishAsync($"wasmbus.rpc.{host.Lattice}.{host.ProviderXkey.GetPublicKey()}.linkdefs.put", link);
        await host.Nats.PingAsync();
        await WaitForAsync(() => provider.Provider.LinkedActors.Contains("http-component"));

        await host.Nats.PublishAsync(host.Subject1x + ".linkdefs.del", link);
        await host.Nats.PingAsync();
        await WaitForAsync(() => !provider.Provider.LinkedActors.Contains("http-component"));
    }

    [Fact]
    public async Task A_1x_shutdown_is_obeyed_only_when_it_names_this_host()
    {
        await using var host = new FakeWasmCloudHost(lattice.Nats.Url, linkName: "backend");
        await using var provider = await RunningProvider.StartAsync(lattice, host, []);
        var subject = host.Subject1x + ".default.shutdown";

        await Assert.ThrowsAnyAsync<NatsException>(() => host.RequestAsync(subject, "{}"u8.ToArray(), TimeSpan.FromMilliseconds(500)));
        await Assert.ThrowsAnyAsync<NatsException>(() => host.RequestAsync(subject, JsonSerializer.SerializeToUtf8Bytes(new { host_id = "NOTHER" }), TimeSpan.FromMilliseconds(500)));
        Assert.False(provider.Provider.ShutdownRequested.IsCompleted);

        var reply = await host.RequestAsync(subject, JsonSerializer.SerializeToUtf8Bytes(new { host_id = host.HostId }), TimeSpan.FromSeconds(5));
        Assert.Equal("shutting down", Encoding.UTF8.GetString(reply));
        Assert.True(provider.Provider.ShutdownRequested.IsCompleted);
    }

    private static async Task WaitForAsync(Func<bool> condition)
    {
        for (var i = 0; i < 100 && !condition(); i++)
            await Task.Delay(20);
        Assert.True(condition());
    }
}

using EmbeddedPython.WasmCloud.Tests.Infrastructure;

namespace EmbeddedPython.WasmCloud.Tests.Bus;

/// <summary>The switches that change the original's wire behaviour.</summary>
[Collection(LatticeCollection.Name)]
public sealed class ProviderOptionsTests(LatticeFixture lattice)
{
    [Fact]
    public async Task NoneAsCborNull_sends_f6_where_the_original_sent_an_empty_message()
    {
        await using var provider = await RunningProvider.StartLinkedAsync(lattice, options => options.NoneAsCborNull = true);
        var (host, actor) = (provider.Host, provider.Actor);

        var response = await host.SendAsync(host.Invocation(actor, "Python.nothing", []));

        Assert.Equal([0xf6], response.Message);
    }

    [Fact]
    public async Task Without_the_reload_command_reload_is_an_operation_like_any_other()
    {
        await using var provider = await RunningProvider.StartLinkedAsync(lattice, options => options.ReloadCommand = false);
        var (host, actor) = (provider.Host, provider.Actor);

        Assert.Equal("unknown command reload", await host.CallAsync(actor, "reload", null));
    }
}

using EmbeddedPython.WasmCloud.Tests.Infrastructure;

namespace EmbeddedPython.WasmCloud.Tests.Bus;

/// <summary>The cases of the original Python provider's own tests (spec §11), through real NATS.</summary>
[Collection(LatticeCollection.Name)]
public sealed class OriginalProviderCasesTests(LatticeFixture lattice)
{
    [Theory]
    [InlineData("f.factorial", 10L, 3628800L)]
    [InlineData("py.factorial", 10L, 3628800L)]
    [InlineData("h.hello", "Sam", "Hello Sam!")]
    [InlineData("hello", "Alice", "Hello Alice!")]
    public async Task An_invocation_returns_what_handle_returned(string operation, object argument, object expected)
    {
        await using var provider = await RunningProvider.StartLinkedAsync(lattice);
        var (host, actor) = (provider.Host, provider.Actor);

        Assert.Equal(expected, await host.CallAsync(actor, operation, argument));
    }

    [Fact]
    public async Task The_main_module_layout_of_the_original_serves_the_same_calls()
    {
        await using var provider = await RunningProvider.StartLinkedAsync(lattice, useMainPackage: true);
        var (host, actor) = (provider.Host, provider.Actor);

        Assert.Equal(3628800L, await host.CallAsync(actor, "f.factorial", 10L));
        Assert.Equal("Hello Alice!", await host.CallAsync(actor, "hello", "Alice"));
        Assert.Equal(true, await host.CallAsync(actor, "reload", null));
    }

    [Fact]
    public async Task An_unknown_operation_is_answered_by_the_dispatcher_not_as_an_error()
    {
        await using var provider = await RunningProvider.StartLinkedAsync(lattice);
        var (host, actor) = (provider.Host, provider.Actor);

        Assert.Equal("unknown command Python.juggle", await host.CallAsync(actor, "Python.juggle", 1L));
    }
}

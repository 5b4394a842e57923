using EmbeddedPython.WasmCloud.Tests.Infrastructure;
using EmbeddedPython.WasmCloud.Wire;

namespace EmbeddedPython.WasmCloud.Tests.Bus;

/// <summary>wasmCloud 1.x components call <c>wasmcloud:python/dispatch@0.1.0.call</c> over wRPC (spec §12).</summary>
[Collection(LatticeCollection.Name)]
public sealed class WrpcTests(LatticeFixture lattice)
{
    [Fact]
    public async Task A_component_call_over_wRPC_reaches_handle_with_the_CBOR_payload()
    {
        await using var host = new FakeWasmCloudHost(lattice.Nats.Url);
        await using var provider = await RunningProvider.StartAsync(lattice, host, []);

        var (ok, error) = await host.WrpcCallAsync("Python.factorial", CborValues.Encode(10L));

        Assert.Null(error);
        Assert.Equal(3628800L, CborValues.Decode(ok));
    }

    [Fact]
    public async Task A_Python_exception_comes_back_as_the_error_case_of_the_result()
    {
        await using var host = new FakeWasmCloudHost(lattice.Nats.Url);
        await using var provider = await RunningProvider.StartAsync(lattice, host, []);

        var (ok, error) = await host.WrpcCallAsync("Python.fail", []);

        Assert.Empty(ok);
        Assert.StartsWith("Exception raised ValueError: bad\n", error);
    }

    [Fact]
    public async Task Parameters_and_results_larger_than_one_NATS_message_are_streamed()
    {
        await using var host = new FakeWasmCloudHost(lattice.Nats.Url);
        await using var provider = await RunningProvider.StartAsync(lattice, host, []);
        var payload = new byte[3 * 1024 * 1024];
        Random.Shared.NextBytes(payload);

        var (ok, error) = await host.WrpcCallAsync("Python.echo", CborValues.Encode(payload), firstPart: 7);

        Assert.Null(error);
        Assert.Equal(payload, CborValues.Decode(ok));
    }

    [Fact]
    public async Task Parameters_that_are_not_the_dispatch_signature_get_an_error_result()
    {
        await using var host = new FakeWasmCloudHost(lattice.Nats.Url);
        await using var provider = await RunningProvider.StartAsync(lattice, host, []);

        var (_, error) = await host.WrpcCallAsync([.. DispatchCall.WriteParameters("echo", [0xf6]), 9, 9]);

        Assert.Equal("wrpc: invalid parameters: 2 bytes follow the parameters", error);
    }
}

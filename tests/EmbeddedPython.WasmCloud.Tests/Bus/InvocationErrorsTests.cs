using EmbeddedPython.WasmCloud.Tests.Infrastructure;
using EmbeddedPython.WasmCloud.Wire;

namespace EmbeddedPython.WasmCloud.Tests.Bus;

/// <summary>Every failure comes back as an InvocationResponse with the original's error text (spec §7).</summary>
[Collection(LatticeCollection.Name)]
public sealed class InvocationErrorsTests(LatticeFixture lattice) : IAsyncLifetime
{
    private readonly FakeWasmCloudHost _host = new(lattice.Nats.Url);
    private readonly string _actor = FakeWasmCloudHost.NewActor();
    private RunningProvider _provider = null!;

    public async Task InitializeAsync() => _provider = await RunningProvider.StartAsync(lattice, _host, [_actor]);

    public async Task DisposeAsync()
    {
        await _provider.DisposeAsync();
        await _host.DisposeAsync();
    }

    [Fact]
    public async Task A_Python_exception_becomes_the_originals_error_text_with_traceback()
    {
        var invocation = _host.Invocation(_actor, "Python.fail", FakeWasmCloudHost.CborArgument(1L));
        var response = await _host.SendAsync(invocation);

        Assert.StartsWith("Exception raised ValueError: bad\n", response.Error);
        Assert.Contains("Traceback (most recent call last)", response.Error);
        Assert.Contains("dispatch.py", response.Error);
        Assert.Empty(response.Message);
        Assert.Equal(invocation.Id, response.InvocationId);
    }

    [Fact]
    public async Task A_huge_exception_message_comes_back_bounded_and_marked_as_cut_and_the_next_call_runs()
    {
        var response = await _host.SendAsync(_host.Invocation(_actor, "Python.fail_with", FakeWasmCloudHost.CborArgument(new string('é', 200_000))));

        Assert.StartsWith("Exception raised ValueError: ééé", response.Error);
        Assert.InRange(response.Error!.Length, 1, ErrorText.DefaultMaxLength);
        Assert.Contains(" characters] … ", response.Error);
        // The end of the text (the traceback's last line: the exception) is kept.
        Assert.EndsWith(new string('é', 100), response.Error.TrimEnd('\n'));
        var next = await _host.SendAsync(_host.Invocation(_actor, "Python.fail", FakeWasmCloudHost.CborArgument(1L)));
        Assert.StartsWith("Exception raised ValueError: bad\n", next.Error);
    }

    [Theory]
    [InlineData("C10A")]
    [InlineData("000A")]
    public async Task An_argument_that_is_not_CBOR_is_an_invalid_message_format(string hex)
    {
        var response = await _host.SendAsync(_host.Invocation(_actor, "Python.echo", Convert.FromHexString(hex)));
        Assert.Equal("rpc: invalid message format", response.Error);
    }

    [Fact]
    public async Task Undecodable_CBOR_is_a_serialization_error()
    {
        var response = await _host.SendAsync(_host.Invocation(_actor, "Python.echo", Convert.FromHexString("7F1A0037")));
        Assert.StartsWith("serialization: ", response.Error);
    }

    [Fact]
    public async Task An_empty_argument_reaches_handle_as_None_and_None_comes_back_as_an_empty_message()
    {
        // Chosen behaviour (spec §6): handle(command, None) rather than the original's KeyError.
        var response = await _host.SendAsync(_host.Invocation(_actor, "Python.echo", []));
        Assert.Null(response.Error);
        Assert.Empty(response.Message);
    }

    [Fact]
    public async Task A_result_Python_cannot_send_back_is_an_error_naming_its_type()
    {
        var response = await _host.SendAsync(_host.Invocation(_actor, "Python.a_set", FakeWasmCloudHost.CborArgument(null)));
        Assert.StartsWith("error: a result of type 'set' cannot be sent back", response.Error);
    }

    [Fact]
    public async Task Bytes_that_are_not_an_invocation_get_a_deser_error_with_no_invocation_id()
    {
        var reply = EnvelopeCodec.DecodeResponse(await _host.RequestAsync(_host.Subject, [0xc3], TimeSpan.FromSeconds(5)));
        Assert.StartsWith("deser error: ", reply.Error);
        Assert.Equal("", reply.InvocationId);
    }

    [Fact]
    public async Task Other_invocations_keep_their_results_when_one_fails()
    {
        var calls = Enumerable.Range(0, 20).Select(i => i % 4 == 0
            ? _host.SendAsync(_host.Invocation(_actor, "Python.fail", FakeWasmCloudHost.CborArgument(i)))
            : _host.SendAsync(_host.Invocation(_actor, "Python.factorial", FakeWasmCloudHost.CborArgument((long)i)))).ToList();
        var responses = await Task.WhenAll(calls);
        for (var i = 0; i < responses.Length; i++)
        {
            if (i % 4 == 0)
                Assert.StartsWith("Exception raised ValueError", responses[i].Error);
            else
                Assert.Equal(Enumerable.Range(2, Math.Max(0, i - 1)).Aggregate(1L, (a, b) => a * b), CborValues.Decode(responses[i].Message));
        }
    }

    [Theory]
    [InlineData("Python.spin", null)]
    [InlineData("Python.slow", 5.0)]
    public async Task A_call_past_its_time_limit_is_an_error_and_the_next_call_is_served(string operation, object? argument)
    {
        await using var provider = await RunningProvider.StartLinkedAsync(lattice, options => options.InvocationTimeout = TimeSpan.FromMilliseconds(300));
        var (host, actor) = (provider.Host, provider.Actor);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => host.CallAsync(actor, operation, argument));
        Assert.StartsWith("error: ", error.Message);
        Assert.Equal(6L, await host.CallAsync(actor, "factorial", 3L));
    }
}

using System.Numerics;
using EmbeddedPython.Grpc.Client.Tests.Infrastructure;

namespace EmbeddedPython.Grpc.Client.Tests;

/// <summary>The same business code as in-process, against a server: requests, streams, calls and their errors come
/// back as the in-process executor gives them.</summary>
[Collection(PythonCollection.Name)]
public sealed class RemotePythonExecutorTests(SharedPython python) : IAsyncLifetime
{
    private LoopbackServer _server = null!;
    private RemotePythonExecutor _remote = null!;

    public async Task InitializeAsync()
    {
        _server = await LoopbackServer.StartAsync(python);
        _remote = new RemotePythonExecutor(new RemotePythonExecutorOptions { Address = _server.Address, DefaultTimeout = TimeSpan.FromSeconds(20) });
    }

    public async Task DisposeAsync()
    {
        await _remote.DisposeAsync();
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task A_request_returns_its_globals_with_ints_floats_and_big_ints_kept_apart_and_what_it_printed()
    {
        var result = await _remote.ExecuteAsync(new PythonRequest
        {
            Code = "y = x * 2\nf = 1.0\nbig = 2 ** 70\nprint('doubled', x)",
            PresetValues = new Dictionary<string, object?> { ["x"] = 21 },
        });

        Assert.Equal(42L, result.Values["y"]);
        Assert.Equal(1.0, Assert.IsType<double>(result.Values["f"]));
        Assert.Equal(BigInteger.Pow(2, 70), result.Values["big"]);
        Assert.Equal("doubled 21\n", result.Output);
        Assert.Equal(42, result.Get<int>("y"));
    }

    [Fact]
    public async Task A_stream_yields_what_the_code_emits_then_its_final_value()
    {
        var messages = new List<PythonMessage>();
        await foreach (var message in _remote.StreamAsync(new PythonRequest
        {
            Code = "import embedded_python\nfor i in range(3):\n    embedded_python.emit({'step': i})\nembedded_python.complete('done')",
        }))
            messages.Add(message);

        Assert.Equal(4, messages.Count);
        Assert.Equal(2L, ((IReadOnlyDictionary<string, object?>)messages[2].Value!)["step"]);
        Assert.Equal(new PythonMessage("done", true), messages[3]);
    }

    [Fact]
    public async Task Printed_lines_reach_OutputReceived_as_they_are_printed()
    {
        var lines = new List<string>();
        var result = await _remote.ExecuteAsync(new PythonRequest { Code = "print('one')\nprint('two')\ny = 1", OutputReceived = lines.Add });

        Assert.Equal("one\ntwo\n", string.Concat(lines));
        Assert.Equal(1L, result.Values["y"]);
    }

    [Fact]
    public async Task A_call_converts_its_result_to_the_type_asked_for()
    {
        Assert.Equal(3L, await _remote.CallAsync<long>("remote_sample", "add", 1, 2));
        Assert.Equal(5, await _remote.CallAsync<int>(new PythonCall("remote_sample", "slow_add") { Args = [2], Kwargs = new Dictionary<string, object?> { ["b"] = 3 } }));
        var order = await _remote.CallAsync<Order>("remote_sample", "order");
        Assert.Equal(7, order.Id);
        Assert.Equal([2.5, 4.0], order.Lines.Select(l => l.UnitPrice));
    }

    [Fact]
    public async Task Arguments_reach_python_as_the_in_process_conversion_makes_them()
    {
        var types = await _remote.CallAsync<string[]>(new PythonCall("remote_sample", "types")
        {
            Args = [1, 1.0, "s", new[] { 1, 2 }, new Dictionary<string, int> { ["a"] = 1 }, DayOfWeek.Monday, new Line("x", 1.5), null, true, (1, "a")],
            Kwargs = new Dictionary<string, object?> { ["big"] = BigInteger.Pow(2, 70) },
        });

        Assert.Equal(["int", "float", "str", "list", "dict", "int", "dict", "NoneType", "bool", "list", "big=int"], types);
    }

    [Fact]
    public async Task A_stream_call_yields_items_and_leaving_early_closes_the_generator_on_the_server()
    {
        var marker = Path.Combine(Path.GetTempPath(), $"remote-closed-{Guid.NewGuid():N}");
        var seen = new List<long>();
        await foreach (var item in _remote.StreamCallAsync<long>(new PythonCall("remote_sample", "count") { Args = [1_000_000, marker] }))
        {
            seen.Add(item);
            if (seen.Count == 3)
                break;
        }

        Assert.Equal([0L, 1L, 2L], seen);
        await WaitForAsync(() => File.Exists(marker));
        File.Delete(marker);
        Assert.Equal(3L, await _remote.CallAsync<long>("remote_sample", "add", 1, 2));
    }

    [Fact]
    public async Task A_python_error_keeps_its_type_message_and_traceback()
    {
        var error = await Assert.ThrowsAsync<PythonException>(() => _remote.CallAsync<object?>("remote_sample", "fail", "bad input"));
        Assert.Equal("ValueError", error.PythonType);
        Assert.Equal("bad input", error.Message);
        Assert.Contains("remote_sample.py", error.PythonTraceback);

        var syntax = await Assert.ThrowsAsync<PythonException>(() => _remote.ExecuteAsync(new PythonRequest { Code = "x = 1\ndef (" }));
        Assert.Equal("SyntaxError", syntax.PythonType);
        Assert.Equal(2, syntax.LineNumber);

        var missing = await Assert.ThrowsAsync<PythonException>(() => _remote.CallAsync<object?>("no_such_module", "f"));
        Assert.Equal("ModuleNotFoundError", missing.PythonType);
    }

    [Fact]
    public async Task A_time_limit_interrupts_the_code_on_the_server_and_throws_a_timeout()
    {
        var started = DateTime.UtcNow;
        await Assert.ThrowsAsync<PythonTimeoutException>(() => _remote.ExecuteAsync(new PythonRequest { Code = "import time\ntime.sleep(30)", Timeout = TimeSpan.FromMilliseconds(300) }));
        await Assert.ThrowsAsync<PythonTimeoutException>(() => _remote.CallAsync<object?>(new PythonCall("time", "sleep") { Args = [30], Timeout = TimeSpan.FromMilliseconds(300) }));

        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(10));
        Assert.Equal(3L, await _remote.CallAsync<long>("remote_sample", "add", 1, 2));
    }

    [Fact]
    public async Task Cancelling_the_token_cancels_the_call_and_the_server_interrupts_the_python()
    {
        var marker = Path.Combine(Path.GetTempPath(), $"remote-ran-{Guid.NewGuid():N}");
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => _remote.CallAsync<object?>(new PythonCall("remote_sample", "sleep_then_mark") { Args = [1.5, marker] }, cancel.Token));

        await Task.Delay(TimeSpan.FromSeconds(2));
        Assert.False(File.Exists(marker), "the interrupted function ran to its end");
        Assert.Equal(3L, await _remote.CallAsync<long>("remote_sample", "add", 1, 2));
    }

    [Fact]
    public async Task A_malformed_request_is_an_argument_exception()
    {
        await Assert.ThrowsAsync<ArgumentException>(() => _remote.ExecuteAsync(new PythonRequest()));
        var unknown = await Assert.ThrowsAsync<ArgumentException>(() => _remote.ExecuteAsync(new PythonRequest { Name = $"never-sent-{Guid.NewGuid():N}" }));
        Assert.Contains("No code is cached", unknown.Message);
        await Assert.ThrowsAsync<ArgumentException>(() => _remote.CallAsync<object?>(new PythonCall("remote_sample", "")));
        await Assert.ThrowsAsync<ArgumentException>(() => _remote.ExecuteAsync(new PythonRequest { Code = "x = 1", MemoryLimit = -1 }));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => _remote.ExecuteAsync(new PythonRequest { Code = "x = 1", Timeout = TimeSpan.FromSeconds(-1) }));
    }

    [Fact]
    public async Task A_value_that_does_not_fit_is_a_conversion_error_naming_its_place()
    {
        var local = await Assert.ThrowsAsync<PythonConversionException>(() => _remote.CallAsync<Order>("remote_sample", "echo", new Dictionary<string, object?> { ["id"] = 1, ["lines"] = new[] { new Dictionary<string, object?> { ["sku"] = "a", ["unit_price"] = "cheap" } } }));
        Assert.Equal("result.lines[0].unit_price", local.Path);

        var remote = await Assert.ThrowsAsync<PythonConversionException>(() => _remote.CallAsync<object?>("remote_sample", "model"));
        Assert.Contains("Model", remote.Message);
    }

    [Fact]
    public async Task Handles_and_delegates_are_refused_naming_the_alternative()
    {
        var import = await Assert.ThrowsAsync<NotSupportedException>(() => _remote.ImportAsync("remote_sample"));
        Assert.Contains("CallAsync", import.Message);
        await Assert.ThrowsAsync<NotSupportedException>(() => _remote.CallAsync<PythonObject>("remote_sample", "model"));
        await Assert.ThrowsAsync<NotSupportedException>(() => _remote.ExecuteAsync(new PythonRequest { Code = "x = 1", ReturnHandles = true }));
        var callback = await Assert.ThrowsAsync<NotSupportedException>(() => _remote.CallAsync<object?>("remote_sample", "echo", new Func<int, int>(x => x)));
        Assert.Contains("in-process", callback.Message);
    }

    private static async Task WaitForAsync(Func<bool> condition)
    {
        for (var i = 0; i < 100 && !condition(); i++)
            await Task.Delay(50);
        Assert.True(condition());
    }

    public sealed record Line(string Sku, double UnitPrice);

    public sealed record Order(int Id, List<Line> Lines);
}

using System.Diagnostics;

namespace EmbeddedPython.Tests.Calls;

[Collection(PythonCollection.Name)]
public sealed class CallTests(PythonFixture fixture)
{
    private const string Module = "calls_under_test";
    private readonly IPythonExecutor _python = fixture.Executor;

    [Fact]
    public async Task A_function_is_called_with_positional_arguments_and_its_result_converted()
    {
        Assert.Equal(3L, await _python.CallAsync<long>(Module, "add", 1, 2));
        Assert.Equal(7, await _python.CallAsync<int>(Module, "add", 3, 4));
        Assert.Equal("ab", await _python.CallAsync<string>(Module, "add", "a", "b"));
        Assert.Equal(new List<object?> { 1L, 2L }, await _python.CallAsync<object>(Module, "add", new List<object?> { 1 }, new List<object?> { 2 }));
        Assert.Equal("d2", await _python.CallAsync<string>(Module, "describe_buffer", new[] { 1.5, 2.5 })); // arrays arrive as buffers
    }

    [Fact]
    public async Task OutputReceived_gets_a_call_s_printed_lines_and_the_rest_when_it_ends()
    {
        var printed = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var length = await _python.CallAsync<int>(new PythonCall(Module, "chatter") { Args = ["ada"], OutputReceived = printed.Enqueue });
        Assert.Equal(3, length);
        Assert.Equal(["hello ada\n", "tail"], printed);
    }

    [Fact]
    public async Task Keyword_arguments_fill_parameters_by_name_and_defaults_fill_the_rest()
    {
        var text = await _python.CallAsync<string>(new PythonCall(Module, "greet")
        {
            Args = ["Ada"],
            Kwargs = new Dictionary<string, object?> { ["punctuation"] = "?" },
        });
        Assert.Equal("Hello, Ada?", text);
    }

    [Fact]
    public async Task Function_may_be_a_dotted_path_through_classes_and_objects()
    {
        Assert.Equal(50L, await _python.CallAsync<long>(Module, "Model.predict", 5));
        Assert.Equal(42L, await _python.CallAsync<long>(Module, "cache.get", "answer"));
    }

    [Fact]
    public async Task Python_exceptions_arrive_with_type_message_and_traceback()
    {
        var error = await Assert.ThrowsAsync<PythonException>(() => _python.CallAsync<object>(Module, "fail", "bad input"));
        Assert.Equal("ValueError", error.PythonType);
        Assert.Equal("bad input", error.Message);
        Assert.Contains("calls_under_test.py", error.PythonTraceback);
        Assert.Contains("in fail", error.PythonTraceback);
    }

    [Fact]
    public async Task Unknown_module_and_unknown_attribute_are_python_exceptions_and_the_next_call_works()
    {
        var module = await Assert.ThrowsAsync<PythonException>(() => _python.CallAsync<object>("no_such_module_here", "f"));
        Assert.Equal("ModuleNotFoundError", module.PythonType);
        Assert.Contains("no_such_module_here", module.Message);
        var attribute = await Assert.ThrowsAsync<PythonException>(() => _python.CallAsync<object>(Module, "Model.nope"));
        Assert.Equal("AttributeError", attribute.PythonType);
        Assert.Contains("nope", attribute.Message);
        await Assert.ThrowsAsync<ArgumentException>(() => _python.CallAsync<object>(Module, "Model..predict"));
        Assert.Equal(3L, await _python.CallAsync<long>(Module, "add", 1, 2));
    }

    [Fact]
    public async Task A_result_that_does_not_fit_the_type_is_a_conversion_error_naming_it()
    {
        var error = await Assert.ThrowsAsync<PythonConversionException>(() => _python.CallAsync<long>(Module, "add", "a", "b"));
        Assert.Equal("result", error.Path);
        var unconvertible = await Assert.ThrowsAsync<PythonConversionException>(() => _python.CallAsync<object>(Module, "make_counter"));
        Assert.Contains("Counter", unconvertible.Message);
    }

    [Fact]
    public async Task An_argument_that_does_not_convert_is_an_argument_error_naming_it()
    {
        var cyclic = new List<object?>();
        cyclic.Add(cyclic);
        var error = await Assert.ThrowsAsync<ArgumentException>(() => _python.CallAsync<object>(Module, "add", 1, cyclic));
        Assert.Contains("args[1]", error.Message);
        Assert.Equal(3L, await _python.CallAsync<long>(Module, "add", 1, 2));
    }

    [Fact]
    public async Task A_time_limit_interrupts_a_running_call_and_the_interpreter_serves_on()
    {
        var watch = Stopwatch.StartNew();
        await Assert.ThrowsAsync<PythonTimeoutException>(() => _python.CallAsync<string>(new PythonCall(Module, "sleep")
        {
            Args = [30],
            Timeout = TimeSpan.FromMilliseconds(300),
        }));
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(20), $"took {watch.Elapsed}");
        Assert.Equal(3L, await _python.CallAsync<long>(Module, "add", 1, 2));
    }

    [Fact]
    public async Task Cancelling_the_token_interrupts_a_running_call()
    {
        using var cancellation = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => _python.CallAsync<string>(new PythonCall(Module, "sleep") { Args = [30] }, cancellation.Token));
        Assert.Equal("woke", await _python.CallAsync<string>(Module, "sleep", 0));
    }

    [Fact]
    public async Task What_a_call_prints_is_logged_under_the_output_category()
    {
        var marker = Guid.NewGuid().ToString("N");
        Assert.Equal(marker.ToUpperInvariant(), await _python.CallAsync<string>(Module, "shout", marker));
        Assert.Contains(fixture.Logs.Entries, e => e.StartsWith("EmbeddedPython.Output:", StringComparison.Ordinal) && e.Contains("shouting " + marker));
    }

    [Fact]
    public async Task Concurrent_calls_from_many_threads_all_get_their_own_result()
    {
        var results = await Task.WhenAll(Enumerable.Range(0, 200).Select(i => Task.Run(() => _python.CallAsync<long>(Module, "add", i, 1000))));
        Assert.Equal(Enumerable.Range(0, 200).Select(i => i + 1000L), results);
    }
}

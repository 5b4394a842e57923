namespace EmbeddedPython.Tests.Calls;

[Collection(PythonCollection.Name)]
public sealed class DelegateTests(PythonFixture fixture)
{
    private const string Module = "calls_under_test";
    private readonly IPythonExecutor _python = fixture.Executor;

    [Fact]
    public async Task A_func_argument_is_a_python_callable_with_arguments_converted_to_its_parameter_types()
    {
        Func<int, double, string> describe = (count, price) => $"{count} x {price:0.00}";
        Assert.Equal("3 x 2.50", await _python.CallAsync<string>(Module, "call_with", describe, 3, 2.5));
    }

    [Fact]
    public async Task Keyword_arguments_map_to_parameter_names_in_snake_case_too()
    {
        Func<string, int, string> repeat = (text, maxCount) => string.Concat(Enumerable.Repeat(text, maxCount));
        var result = await _python.CallAsync<string>(new PythonCall(Module, "call_with")
        {
            Args = [repeat, "ab"],
            Kwargs = new Dictionary<string, object?> { ["max_count"] = 3 },
        });
        Assert.Equal("ababab", result);
    }

    [Fact]
    public async Task An_action_preset_is_called_from_request_code()
    {
        var seen = new List<string>();
        Action<string> record = seen.Add;
        await _python.ExecuteAsync(new PythonRequest { Code = "record('one')\nrecord(item='two')", PresetValues = new Dictionary<string, object?> { ["record"] = record } });
        Assert.Equal(["one", "two"], seen);
    }

    [Fact]
    public async Task Wrong_arguments_are_a_type_error_naming_the_problem()
    {
        Func<int, int> twice = value => value * 2;
        var missing = await Assert.ThrowsAsync<PythonException>(() => _python.CallAsync<long>(Module, "call_with", twice));
        Assert.Equal("TypeError", missing.PythonType);
        Assert.Contains("missing required argument 'value'", missing.Message);
        var unknown = await Assert.ThrowsAsync<PythonException>(() => _python.CallAsync<long>(new PythonCall(Module, "call_with")
        {
            Args = [twice],
            Kwargs = new Dictionary<string, object?> { ["other"] = 1 },
        }));
        Assert.Contains("unexpected keyword argument 'other'", unknown.Message);
        var mistyped = await Assert.ThrowsAsync<PythonException>(() => _python.CallAsync<long>(Module, "call_with", twice, "text"));
        Assert.Equal("TypeError", mistyped.PythonType);
        Assert.Contains("value", mistyped.Message);
        Assert.Equal(8L, await _python.CallAsync<long>(Module, "call_with", twice, 4));
    }

    [Fact]
    public async Task What_the_delegate_throws_is_a_runtime_error_in_python()
    {
        Func<int> broken = () => throw new InvalidOperationException("no luck");
        var error = await Assert.ThrowsAsync<PythonException>(() => _python.CallAsync<long>(Module, "call_with", broken));
        Assert.Equal("RuntimeError", error.PythonType);
        Assert.Contains("no luck", error.Message);
    }

    [Fact]
    public async Task A_task_returning_delegate_is_awaited_without_the_gil_and_its_result_returned()
    {
        Func<int, Task<int>> slowDouble = async value =>
        {
            await Task.Delay(50);
            return value * 2;
        };
        Assert.Equal(42L, await _python.CallAsync<long>(Module, "call_with", slowDouble, 21));
        var done = false;
        Func<Task> work = async () =>
        {
            await Task.Delay(20);
            done = true;
        };
        Assert.Null(await _python.CallAsync<object>(Module, "call_with", work));
        Assert.True(done);
    }

    [Fact]
    public async Task A_coroutine_awaits_a_task_delegate_on_the_loop_while_the_interpreter_serves_other_work()
    {
        var gate = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        Func<Task<int>> waitForGate = async () => await gate.Task + 1;
        var awaiting = _python.CallAsync<long>(Module, "await_callback", waitForGate);

        // With the interpreter thread blocked in the delegate, this request could not run before the gate opens.
        var other = await _python.ExecuteAsync("served = 6 * 7").WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(42L, other.Values["served"]);
        Assert.False(awaiting.IsCompleted);

        gate.SetResult(41);
        Assert.Equal(42L, await awaiting.WaitAsync(TimeSpan.FromSeconds(30)));

        Func<Task<int>> broken = () => Task.FromException<int>(new InvalidOperationException("async no luck"));
        var error = await Assert.ThrowsAsync<PythonException>(() => _python.CallAsync<long>(Module, "await_callback", broken));
        Assert.Equal("RuntimeError", error.PythonType);
        Assert.Contains("async no luck", error.Message);
    }

    [Fact]
    public async Task A_python_thread_runs_while_a_task_delegate_is_awaited()
    {
        Func<Task<long>> wait = async () =>
        {
            await Task.Delay(300);
            return 0;
        };
        var result = await _python.ExecuteAsync(new PythonRequest
        {
            Code = "import threading\nticks = 0\ndef tick():\n    global ticks\n    import time\n    for _ in range(20):\n        ticks += 1\n        time.sleep(0.005)\nt = threading.Thread(target=tick)\nt.start()\nwait()\nt.join()\n",
            PresetValues = new Dictionary<string, object?> { ["wait"] = wait },
            LimitReturnTo = ["ticks"],
        });
        Assert.Equal(20L, result.Values["ticks"]);
    }

    [Fact]
    public async Task A_delegate_parameter_of_type_PythonObject_receives_a_handle()
    {
        string? seen = null;
        Func<PythonObject, long, long> bump = (counter, by) =>
        {
            seen = counter.TypeName;
            _ = counter.DisposeAsync();
            return by;
        };
        Assert.Equal(5L, await _python.CallAsync<long>(new PythonCall(Module, "call_with") { Args = [bump], Kwargs = new Dictionary<string, object?> { ["counter"] = new Dictionary<string, object?>(), ["by"] = 5 } }));
        Assert.Equal("dict", seen);
    }

    [Fact]
    public async Task A_python_callback_preset_still_takes_its_arguments_as_a_list()
    {
        var callback = new PythonCallback(arguments => arguments.Count);
        var result = await _python.ExecuteAsync(new PythonRequest { Code = "n = f(1, 'a', None)", PresetValues = new Dictionary<string, object?> { ["f"] = callback } });
        Assert.Equal(3L, result.Values["n"]);
    }
}

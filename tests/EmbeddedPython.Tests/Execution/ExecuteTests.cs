namespace EmbeddedPython.Tests.Execution;

[Collection(PythonCollection.Name)]
public sealed class ExecuteTests(PythonFixture fixture)
{
    private readonly IPythonExecutor _python = fixture.Executor;

    [Fact]
    public async Task Preset_values_become_globals_and_globals_come_back()
    {
        var result = await _python.ExecuteAsync("y = x * 2\nname_seen = __name__", new Dictionary<string, object?> { ["x"] = 21 });
        Assert.Equal(42L, result.Values["y"]);
        Assert.Equal("__main__", result.Values["name_seen"]);
        Assert.Equal(21L, result.Values["x"]);
    }

    [Fact]
    public async Task Every_request_gets_fresh_globals()
    {
        await _python.ExecuteAsync("leftover = 1");
        var result = await _python.ExecuteAsync("seen = 'leftover' in globals()");
        Assert.Equal(false, result.Values["seen"]);
    }

    [Fact]
    public async Task Modules_dunders_functions_classes_and_objects_are_left_out_of_returned_values()
    {
        var result = await _python.ExecuteAsync("import os\ndef f(): pass\nclass C: pass\nobj = C()\n__hidden__ = 1\nkept = 'yes'");
        Assert.Equal(["kept"], result.Values.Keys.Order());
    }

    [Fact]
    public async Task LimitReturnTo_returns_only_the_named_globals_that_exist()
    {
        var result = await _python.ExecuteAsync(new PythonRequest { Code = "a = 1\nb = 2\nc = 3", LimitReturnTo = ["a", "c", "missing"] });
        Assert.Equal(new Dictionary<string, object?> { ["a"] = 1L, ["c"] = 3L }, result.Values);
    }

    [Fact]
    public async Task Named_code_is_cached_rerun_by_name_alone_and_replaced_by_new_text()
    {
        var name = $"cached-{Guid.NewGuid()}";
        await _python.ExecuteAsync(new PythonRequest { Name = name, Code = "v = 'first'" });
        var rerun = await _python.ExecuteAsync(new PythonRequest { Name = name });
        Assert.Equal("first", rerun.Values["v"]);
        await _python.ExecuteAsync(new PythonRequest { Name = name, Code = "v = 'second'" });
        var replaced = await _python.ExecuteAsync(new PythonRequest { Name = name });
        Assert.Equal("second", replaced.Values["v"]);
    }

    [Fact]
    public async Task Unknown_name_is_an_argument_error()
    {
        var error = await Assert.ThrowsAsync<ArgumentException>(() => _python.ExecuteAsync(new PythonRequest { Name = "never-sent" }));
        Assert.Contains("never-sent", error.Message);
    }

    [Fact]
    public async Task A_request_without_code_name_or_script_is_an_argument_error()
    {
        await Assert.ThrowsAsync<ArgumentException>(() => _python.ExecuteAsync(new PythonRequest()));
        await Assert.ThrowsAsync<ArgumentException>(() => _python.ExecuteAsync(new PythonRequest { Code = "x=1", Script = "a.py" }));
    }

    [Fact]
    public async Task Scripts_run_from_the_script_directory_and_reload_after_an_edit()
    {
        var path = Path.Combine(fixture.ScriptDirectory, $"job{Guid.NewGuid():N}.py");
        await File.WriteAllTextAsync(path, "answer = 1\nwhere = __file__");
        var first = await _python.ExecuteAsync(new PythonRequest { Script = Path.GetFileName(path) });
        Assert.Equal(1L, first.Values["answer"]);
        Assert.Equal(path, first.Values["where"]);
        await File.WriteAllTextAsync(path, "answer = 2222");
        File.SetLastWriteTimeUtc(path, DateTime.UtcNow.AddSeconds(5));
        var second = await _python.ExecuteAsync(new PythonRequest { Script = Path.GetFileName(path) });
        Assert.Equal(2222L, second.Values["answer"]);
    }

    [Fact]
    public async Task Unknown_or_escaping_scripts_are_argument_errors()
    {
        await Assert.ThrowsAsync<ArgumentException>(() => _python.ExecuteAsync(new PythonRequest { Script = "nope.py" }));
        await Assert.ThrowsAsync<ArgumentException>(() => _python.ExecuteAsync(new PythonRequest { Script = "../../etc/passwd" }));
    }

    [Fact]
    public async Task Syntax_errors_report_line_and_offset()
    {
        var error = await Assert.ThrowsAsync<PythonException>(() => _python.ExecuteAsync("x = 1\ny = (2 +\n"));
        Assert.Equal("SyntaxError", error.PythonType);
        Assert.Equal(2, error.LineNumber);
        Assert.NotNull(error.Offset);
    }

    [Fact]
    public async Task A_python_error_carries_type_message_and_traceback_and_the_next_request_is_fine()
    {
        var error = await Assert.ThrowsAsync<PythonException>(() => _python.ExecuteAsync("def boom():\n    raise ValueError('bad value')\nboom()"));
        Assert.Equal("ValueError", error.PythonType);
        Assert.Equal("bad value", error.Message);
        Assert.Contains("in boom", error.PythonTraceback);
        var next = await _python.ExecuteAsync("ok = True");
        Assert.Equal(true, next.Values["ok"]);
    }

    [Fact]
    public async Task Printed_output_is_returned_with_the_request()
    {
        var result = await _python.ExecuteAsync("import sys\nprint('hello')\nprint('oops', file=sys.stderr)");
        Assert.Equal("hello\noops\n", result.Output);
    }

    [Fact]
    public async Task Output_can_be_received_as_it_is_printed()
    {
        var live = new List<string>();
        var firstSeenBeforeEnd = new TaskCompletionSource();
        var request = new PythonRequest
        {
            Code = "import asyncio\nprint('one')\nawait asyncio.sleep(0.2)\nprint('two')\nprint('three', end='')",
            OutputReceived = text => { lock (live) live.Add(text); if (text == "one\n") firstSeenBeforeEnd.TrySetResult(); },
        };
        var running = _python.ExecuteAsync(request);
        await firstSeenBeforeEnd.Task.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.False(running.IsCompleted);
        var result = await running;
        Assert.Equal(["one\n", "two\n", "three"], live);
        Assert.Equal("one\ntwo\nthree", result.Output);
    }

    [Fact]
    public async Task A_thousand_concurrent_requests_from_many_threads_get_their_own_results_and_output()
    {
        var tasks = Enumerable.Range(0, 1000).Select(i => Task.Run(() => _python.ExecuteAsync(new PythonRequest
        {
            Name = "concurrent",
            Code = "y = x * 3\nprint(x)",
            PresetValues = new Dictionary<string, object?> { ["x"] = i },
        }))).ToArray();
        var results = await Task.WhenAll(tasks);
        for (var i = 0; i < results.Length; i++)
        {
            Assert.Equal(i * 3L, results[i].Values["y"]);
            Assert.Equal($"{i}\n", results[i].Output);
        }
    }

    [Fact]
    public async Task Output_of_concurrent_async_requests_is_attributed_to_each()
    {
        var tasks = Enumerable.Range(0, 20).Select(i => _python.ExecuteAsync(new PythonRequest
        {
            Code = "import asyncio\nfor n in range(3):\n    print(tag, n)\n    await asyncio.sleep(0.01)",
            PresetValues = new Dictionary<string, object?> { ["tag"] = $"t{i}" },
        })).ToArray();
        var results = await Task.WhenAll(tasks);
        for (var i = 0; i < results.Length; i++)
            Assert.Equal($"t{i} 0\nt{i} 1\nt{i} 2\n", results[i].Output);
    }

    [Fact]
    public async Task Top_level_await_runs_and_async_requests_overlap()
    {
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var tasks = Enumerable.Range(0, 10).Select(i => _python.ExecuteAsync("import asyncio\nawait asyncio.sleep(0.3)\ndone = True")).ToArray();
        var results = await Task.WhenAll(tasks);
        Assert.All(results, r => Assert.Equal(true, r.Values["done"]));
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(2.5), $"10 awaits of 0.3 s took {watch.Elapsed}: they did not overlap");
    }

    [Fact]
    public async Task Tasks_created_by_a_request_keep_running_between_requests()
    {
        await _python.ExecuteAsync("import asyncio, builtins\nbuiltins._ticks = []\nasync def tick():\n    for i in range(3):\n        builtins._ticks.append(i)\n        await asyncio.sleep(0.01)\nasyncio.get_event_loop().create_task(tick())");
        await Task.Delay(300);
        var result = await _python.ExecuteAsync("import builtins\nticks = builtins._ticks\ndel builtins._ticks");
        Assert.Equal(new List<object?> { 0L, 1L, 2L }, result.Values["ticks"]);
    }

    [Fact]
    public async Task A_PythonCallback_preset_is_callable_from_python()
    {
        var seen = new List<object?>();
        PythonCallback add = args => { seen.AddRange(args); return (long)args[0]! + (long)args[1]!; };
        var result = await _python.ExecuteAsync("total = add(2, 40)", new Dictionary<string, object?> { ["add"] = add });
        Assert.Equal(42L, result.Values["total"]);
        Assert.Equal(new object?[] { 2L, 40L }, seen);

        PythonCallback fails = _ => throw new InvalidOperationException("no way");
        var error = await Assert.ThrowsAsync<PythonException>(() => _python.ExecuteAsync("fails()", new Dictionary<string, object?> { ["fails"] = fails }));
        Assert.Equal("RuntimeError", error.PythonType);
        Assert.Contains("no way", error.Message);
    }

    [Fact]
    public async Task The_compatibility_globals_are_in_every_request_but_never_come_back_as_values()
    {
        var result = await _python.ExecuteAsync(
            "import embedded_python.compat as compat\nsame = connector_connection is compat.connection\ncontext_is_int = isinstance(connector_context, int)\ndel compat");

        Assert.Equal(true, result.Values["same"]);
        Assert.Equal(true, result.Values["context_is_int"]);
        Assert.DoesNotContain("connector_connection", result.Values.Keys);
        Assert.DoesNotContain("connector_context", result.Values.Keys);
    }
}

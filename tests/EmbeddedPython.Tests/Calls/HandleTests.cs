namespace EmbeddedPython.Tests.Calls;

[Collection(PythonCollection.Name)]
public sealed class HandleTests(PythonFixture fixture)
{
    private const string Module = "calls_under_test";
    private readonly PythonExecutor _python = fixture.Executor;

    [Fact]
    public async Task An_imported_module_is_a_handle_whose_functions_can_be_called()
    {
        await using var module = await _python.ImportAsync(Module);
        Assert.Equal("module", module.TypeName);
        Assert.Equal(5L, await module.CallMethodAsync<long>("add", [2, 3]));
        var cache = Assert.IsType<Dictionary<string, object?>>(await module.GetAttributeAsync<object>("cache"));
        Assert.Equal(42L, cache["answer"]);
    }

    [Fact]
    public async Task A_kept_object_keeps_its_state_between_method_calls()
    {
        await using var counter = await _python.CallAsync<PythonObject>(new PythonCall(Module, "Counter") { Args = [10] });
        Assert.Equal("calls_under_test.Counter", counter.TypeName);
        Assert.Equal(11L, await counter.CallMethodAsync<long>("increment"));
        Assert.Equal(15L, await counter.CallMethodAsync<long>("increment", kwargs: new Dictionary<string, object?> { ["by"] = 4 }));
        Assert.Equal(15L, await counter.GetAttributeAsync<long>("value"));
        Assert.Equal("Counter(15)", await (await counter.GetAttributeAsync<PythonObject>("__repr__")).CallAsync<string>());
    }

    [Fact]
    public async Task Handles_pass_back_as_arguments_and_as_preset_values()
    {
        await using var counter = await _python.CallAsync<PythonObject>(Module, "make_counter", 7);
        Assert.Equal(7L, await _python.CallAsync<long>(Module, "read_value", counter));
        var result = await _python.ExecuteAsync(new PythonRequest { Code = "v = c.increment(3)", PresetValues = new Dictionary<string, object?> { ["c"] = counter } });
        Assert.Equal(10L, result.Values["v"]);
    }

    [Fact]
    public async Task A_callable_handle_is_called_itself_and_converts_itself()
    {
        await using var add = await (await _python.ImportAsync(Module)).GetAttributeAsync<PythonObject>("add");
        Assert.Equal("function", add.TypeName);
        Assert.Equal(9L, await add.CallAsync<long>([4, 5]));
        await using var number = await add.CallAsync<PythonObject>([40, 2]);
        Assert.Equal("int", number.TypeName);
        Assert.Equal(42.0, await number.ConvertAsync<double>());
    }

    [Fact]
    public async Task A_disposed_handle_throws_object_disposed_and_its_object_is_released()
    {
        var before = await LiveHandlesAsync();
        var counter = await _python.CallAsync<PythonObject>(Module, "make_counter", 1);
        Assert.Equal(before + 1, await LiveHandlesAsync());
        await counter.DisposeAsync();
        await Assert.ThrowsAsync<ObjectDisposedException>(() => counter.CallMethodAsync<long>("increment"));
        await Assert.ThrowsAsync<ObjectDisposedException>(() => _python.CallAsync<long>(Module, "read_value", counter));
        Assert.Equal(before, await LiveHandlesAsync());
        await counter.DisposeAsync(); // twice is harmless
    }

    [Fact]
    public async Task Handles_dropped_without_dispose_are_released_on_the_interpreter_thread()
    {
        var before = await LiveHandlesAsync();
        await DropHandlesAsync(200);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        int live;
        do
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            live = await LiveHandlesAsync();
        }
        while (live > before && DateTime.UtcNow < deadline);
        Assert.True(live <= before, $"{live - before} of 200 dropped handles are still held");
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private async Task DropHandlesAsync(int count)
    {
        for (var i = 0; i < count; i++)
            _ = await _python.CallAsync<PythonObject>(Module, "make_counter", i);
    }

    [Fact]
    public async Task A_request_with_ReturnHandles_returns_unconvertible_globals_as_handles()
    {
        var plain = await _python.ExecuteAsync(new PythonRequest { Code = "import calls_under_test as m\nc = m.Counter(3)\nn = 1" });
        Assert.False(plain.Values.ContainsKey("c"));
        var result = await _python.ExecuteAsync(new PythonRequest
        {
            Code = "import calls_under_test as m\nc = m.Counter(3)\nn = 1",
            ReturnHandles = true,
            LimitReturnTo = ["c", "n"],
        });
        Assert.Equal(1L, result.Values["n"]);
        await using var counter = Assert.IsType<PythonObject>(result.Values["c"]);
        Assert.Equal(4L, await counter.CallMethodAsync<long>("increment"));
    }

    [Fact]
    public async Task Disposing_an_executor_releases_the_objects_of_its_handles()
    {
        var other = new PythonExecutor(new PythonExecutorOptions()); // a second lease on the same interpreter
        await other.WaitUntilStartedAsync();
        var counter = await other.CallAsync<PythonObject>(Module, "tracked_counter");
        Assert.Equal(1L, await _python.CallAsync<long>(Module, "tracked_alive"));
        await other.DisposeAsync();
        Assert.Equal(0L, await _python.CallAsync<long>(Module, "tracked_alive"));
        await Assert.ThrowsAsync<ObjectDisposedException>(() => counter.CallMethodAsync<long>("increment"));
        GC.KeepAlive(counter);
    }

    /// <summary>The handle count read on the interpreter thread, after the releases queued before it ran.</summary>
    private async Task<int> LiveHandlesAsync()
    {
        var count = new TaskCompletionSource<int>();
        await _python.ExecuteAsync(new PythonRequest
        {
            Code = "read()",
            PresetValues = new Dictionary<string, object?> { ["read"] = new PythonCallback(_ => { count.SetResult(_python.Handles.Count); return null; }) },
        });
        return await count.Task;
    }
}

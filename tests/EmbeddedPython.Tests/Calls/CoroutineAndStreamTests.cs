using System.Diagnostics;

namespace EmbeddedPython.Tests.Calls;

[Collection(PythonCollection.Name)]
public sealed class CoroutineAndStreamTests(PythonFixture fixture)
{
    private const string Module = "calls_under_test";
    private readonly IPythonExecutor _python = fixture.Executor;

    private Task<List<object?>> TakeEventsAsync() => _python.CallAsync<List<object?>>(Module, "take_events");

    /// <summary>What the module recorded, once something is (a cancelled task's finally runs on a later loop turn).</summary>
    private async Task<List<object?>> WaitForEventsAsync()
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        List<object?> events;
        while ((events = await TakeEventsAsync()).Count == 0 && DateTime.UtcNow < deadline)
            await Task.Delay(20);
        return events;
    }

    [Fact]
    public async Task An_async_def_is_awaited_on_the_loop_and_a_hundred_overlap()
    {
        var watch = Stopwatch.StartNew();
        var results = await Task.WhenAll(Enumerable.Range(0, 100).Select(i => _python.CallAsync<long>(Module, "nap", 0.2, i)));
        Assert.Equal(Enumerable.Range(0, 100).Select(i => (long)i), results);
        // One after another they would take 20 s; overlapping on the loop, a fraction of a second.
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), $"took {watch.Elapsed}");
    }

    [Fact]
    public async Task A_time_limit_cancels_the_task_of_an_awaited_call()
    {
        await TakeEventsAsync();
        await Assert.ThrowsAsync<PythonTimeoutException>(() => _python.CallAsync<object>(new PythonCall(Module, "nap_forever") { Timeout = TimeSpan.FromMilliseconds(200) }));
        var events = await WaitForEventsAsync();
        Assert.Equal(["nap cancelled"], events);
    }

    [Fact]
    public async Task A_generator_streams_its_items_in_order()
    {
        var items = new List<int>();
        await foreach (var item in _python.StreamCallAsync<int>(new PythonCall(Module, "count") { Args = [5000] }))
            items.Add(item);
        Assert.Equal(Enumerable.Range(0, 5000), items);
    }

    [Fact]
    public async Task An_async_generator_streams_its_items_in_order()
    {
        var items = new List<long>();
        await foreach (var item in _python.StreamCallAsync<long>(new PythonCall(Module, "async_count") { Args = [20, 0.001] }))
            items.Add(item);
        Assert.Equal(Enumerable.Range(0, 20).Select(i => (long)i), items);
    }

    [Fact]
    public async Task Leaving_the_loop_early_closes_the_generator_and_its_finally_runs()
    {
        await TakeEventsAsync();
        await foreach (var item in _python.StreamCallAsync<long>(new PythonCall(Module, "endless") { Args = ["sync"] }))
        {
            if (item == 3)
                break;
        }
        Assert.Equal(["closed sync"], await TakeEventsAsync()); // queued after the stream: runs once it is closed
    }

    [Fact]
    public async Task Leaving_an_async_generator_early_closes_it_and_its_finally_runs()
    {
        await TakeEventsAsync();
        await foreach (var item in _python.StreamCallAsync<long>(new PythonCall(Module, "async_endless") { Args = ["async"] }))
        {
            if (item == 3)
                break;
        }
        var events = await WaitForEventsAsync();
        Assert.Equal(["closed async"], events);
    }

    [Fact]
    public async Task A_slow_reader_holds_an_endless_generator_back()
    {
        await TakeEventsAsync();
        var read = 0;
        await foreach (var item in _python.StreamCallAsync<long>(new PythonCall(Module, "endless") { Args = ["slow"] }))
        {
            if (++read == 10)
                await Task.Delay(300); // the generator would run away here without back-pressure
            if (read == 2000)
                break;
        }
        Assert.Equal(["closed slow"], await TakeEventsAsync());
    }

    [Fact]
    public async Task An_exception_in_a_generator_ends_the_stream_with_it()
    {
        var items = new List<long>();
        var error = await Assert.ThrowsAsync<PythonException>(async () =>
        {
            await foreach (var item in _python.StreamCallAsync<long>(new PythonCall(Module, "failing_generator")))
                items.Add(item);
        });
        Assert.Equal([1L], items);
        Assert.Equal("RuntimeError", error.PythonType);
        Assert.Equal("generator broke", error.Message);
    }

    [Fact]
    public async Task A_time_limit_ends_a_stream_whose_reader_is_slow_and_the_next_call_runs()
    {
        var read = 0;
        await Assert.ThrowsAsync<PythonTimeoutException>(async () =>
        {
            await foreach (var item in _python.StreamCallAsync<long>(new PythonCall(Module, "endless") { Args = ["timed"], Timeout = TimeSpan.FromMilliseconds(300) }))
            {
                read++;
                await Task.Delay(1);
            }
        });
        Assert.InRange(read, 1, 5000);
        Assert.Equal(3L, await _python.CallAsync<long>(Module, "add", 1, 2));
        await TakeEventsAsync();
    }

    [Fact]
    public async Task A_generator_that_does_not_yield_after_its_reader_left_is_interrupted()
    {
        await foreach (var item in _python.StreamCallAsync<string>(new PythonCall(Module, "call_with")
        {
            Args = [new Func<IEnumerable<string>>(() => ["first"])],
        }))
        {
            Assert.Equal("first", item);
        }
        var stuck = _python.StreamCallAsync<long>(new PythonCall(Module, "slow_then_endless") { Args = [30] });
        await foreach (var item in stuck)
            break; // the generator now sleeps 30 s before its next yield
        var watch = System.Diagnostics.Stopwatch.StartNew();
        Assert.Equal(3L, await _python.CallAsync<long>(Module, "add", 1, 2));
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(15), $"the stuck generator held the thread for {watch.Elapsed}");
    }
}

using System.Diagnostics;
using System.Globalization;
using EmbeddedPython.Execution;

namespace EmbeddedPython.Tests.Execution;

/// <summary>The hand-off between callers and the interpreter thread (<see cref="PythonExecutorOptions.IdleSpin"/>):
/// a short request finishes while its ValueTask caller spins, a long one never holds the caller past the spin,
/// the ValueTask methods deliver what the Task ones do, and an executor with nothing to do uses no CPU.</summary>
[Collection(PythonCollection.Name)]
public sealed class HandOffTests
{
    private static readonly PythonRequest Tiny = new() { Name = "handoff-tiny", Code = "y = x * 2", PresetValues = new Dictionary<string, object?> { ["x"] = 21L }, LimitReturnTo = ["y"] };

    [Fact]
    public async Task Awaiting_ExecuteValueAsync_finds_a_short_request_finished_by_the_spin()
    {
        // A generous spin: even on a loaded machine the interpreter runs a cached line within it. Other tests'
        // requests may keep it busy now and then, and one caller spins at a time, so some of the attempts, not
        // all, find their result ready at the first look (what an await does).
        await using var python = new PythonExecutor(new PythonExecutorOptions { IdleSpin = TimeSpan.FromMilliseconds(50) });
        await python.WaitUntilStartedAsync();
        var finishedAtFirstLook = 0;
        for (var i = 0; i < 200; i++)
        {
            var pending = python.ExecuteValueAsync(Tiny);
            if (pending.IsCompleted)
                finishedAtFirstLook++;
            Assert.Equal(42L, (await pending).Values["y"]);
        }
        Assert.True(finishedAtFirstLook > 0, "no request was finished at the first look, though its caller spins for 50 ms");
    }

    [Fact]
    public async Task Awaiting_CallValueAsync_finds_a_short_call_finished_by_the_spin()
    {
        await using var python = new PythonExecutor(new PythonExecutorOptions { IdleSpin = TimeSpan.FromMilliseconds(50) });
        await python.WaitUntilStartedAsync();
        var call = new PythonCall("operator", "add") { Args = [40L, 2L] };
        var finishedAtFirstLook = 0;
        for (var i = 0; i < 200; i++)
        {
            var pending = python.CallValueAsync<long>(call);
            if (pending.IsCompleted)
                finishedAtFirstLook++;
            Assert.Equal(42L, await pending);
        }
        Assert.True(finishedAtFirstLook > 0, "no call was finished at the first look, though its caller spins for 50 ms");
    }

    [Fact]
    public async Task A_caller_spins_no_longer_than_IdleSpin_for_a_long_request()
    {
        await using var python = new PythonExecutor(new PythonExecutorOptions { IdleSpin = TimeSpan.FromMilliseconds(20) });
        await python.WaitUntilStartedAsync();
        var watch = Stopwatch.StartNew();
        var pending = python.ExecuteValueAsync(new PythonRequest { Code = "import time\ntime.sleep(2)" });
        var finished = pending.IsCompleted; // spins for at most 20 ms
        var lookedAfter = watch.Elapsed;
        Assert.False(finished);
        Assert.True(lookedAfter < TimeSpan.FromSeconds(1), $"the first look returned after {lookedAfter}: the caller spun past its 20 ms");
        await pending;
    }

    [Fact]
    public async Task ValueTask_methods_deliver_errors_timeouts_and_cancellation_as_the_Task_ones_do()
    {
        await using var python = new PythonExecutor(new PythonExecutorOptions());
        var raised = await Assert.ThrowsAsync<PythonException>(async () => await python.ExecuteValueAsync(new PythonRequest { Code = "raise ValueError('bad input')" }));
        Assert.Equal("ValueError", raised.PythonType);
        await Assert.ThrowsAsync<PythonTimeoutException>(async () => await python.ExecuteValueAsync(new PythonRequest { Code = "import time\ntime.sleep(30)", Timeout = TimeSpan.FromMilliseconds(200) }));
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await python.CallValueAsync<object>(new PythonCall("time", "sleep") { Args = [30] }, cancel.Token));
        await Assert.ThrowsAsync<ArgumentException>(async () => await python.CallValueAsync<long>(new PythonCall("", "f")));
        Assert.Equal(3L, await python.CallValueAsync<long>(new PythonCall("operator", "add") { Args = [1L, 2L] }));
    }

    [Fact]
    public async Task A_caller_may_block_on_the_ValueTask_of_a_request_that_outlasts_the_spin()
    {
        await using var python = new PythonExecutor(new PythonExecutorOptions { IdleSpin = TimeSpan.FromMilliseconds(1) });
        await python.WaitUntilStartedAsync();
        var result = await Task.Run(() => Block(python.ExecuteValueAsync(new PythonRequest { Code = "import time\ntime.sleep(0.3)\ny = 5", LimitReturnTo = ["y"] })));
        Assert.Equal(5L, result.Values["y"]);
        Assert.Equal(42L, await Task.Run(() => Block(python.CallValueAsync<long>(new PythonCall("operator", "add") { Args = [40L, 2L] }))));
        var failed = await Assert.ThrowsAsync<PythonException>(() => Task.Run(() => Block(python.ExecuteValueAsync(new PythonRequest { Code = "import time\ntime.sleep(0.1)\nraise KeyError('k')" }))));
        Assert.Equal("KeyError", failed.PythonType);
    }

    /// <summary>What a synchronous caller does with a ValueTask it cannot await.</summary>
    private static T Block<T>(ValueTask<T> pending) => pending.GetAwaiter().GetResult();

    [Fact]
    public async Task Values_queued_before_any_is_awaited_all_complete()
    {
        await using var python = new PythonExecutor(new PythonExecutorOptions());
        var pending = Enumerable.Range(0, 64).Select(i => python.ExecuteValueAsync(new PythonRequest
        {
            Name = "handoff-many", Code = "y = x * 2", PresetValues = new Dictionary<string, object?> { ["x"] = (long)i }, LimitReturnTo = ["y"],
        })).ToList();
        for (var i = 0; i < pending.Count; i++)
            Assert.Equal(2L * i, (await pending[i]).Values["y"]);
    }

    [Fact]
    public async Task An_executor_of_its_own_kind_gets_the_ValueTask_methods_from_its_Task_ones()
    {
        IPythonExecutor other = new TaskOnlyExecutor();
        Assert.Equal(7L, (await other.ExecuteValueAsync(new PythonRequest { Code = "y = 7" })).Values["y"]);
        Assert.Equal(8L, await other.CallValueAsync<long>(new PythonCall("m", "f")));
    }

    /// <summary>An implementation that knows only the Task methods (as a remote executor).</summary>
    private sealed class TaskOnlyExecutor : IPythonExecutor
    {
        public Task<PythonResult> ExecuteAsync(PythonRequest request, CancellationToken cancellationToken = default) =>
            Task.FromResult(new PythonResult(new Dictionary<string, object?> { ["y"] = 7L }, [], ""));

        public Task<T> CallAsync<T>(PythonCall call, CancellationToken cancellationToken = default) => Task.FromResult((T)(object)8L);

        public IAsyncEnumerable<PythonMessage> StreamAsync(PythonRequest request, CancellationToken cancellationToken = default) => throw new NotSupportedException();
        public IAsyncEnumerable<T> StreamCallAsync<T>(PythonCall call, CancellationToken cancellationToken = default) => throw new NotSupportedException();
        public Task<PythonObject> ImportAsync(string module, CancellationToken cancellationToken = default) => throw new NotSupportedException();
        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }

    [Fact]
    public async Task Requests_are_served_without_spinning_when_IdleSpin_is_zero()
    {
        await using var python = new PythonExecutor(new PythonExecutorOptions { IdleSpin = TimeSpan.Zero });
        for (var i = 0; i < 100; i++)
            Assert.Equal(42L, (await python.ExecuteAsync(Tiny)).Values["y"]);
    }

    [Fact]
    public void A_spin_budget_halves_to_none_on_timeouts_or_late_sights_doubles_on_a_prompt_one_and_grows_after_a_short_sleep()
    {
        var most = TimeSpan.FromMilliseconds(32);
        var budget = new SpinBudget(new PythonExecutorOptions { IdleSpin = most });
        TimeSpan Budget() => Stopwatch.GetElapsedTime(0, budget.Ticks);

        Assert.Equal(most, Budget());
        var watch = Stopwatch.StartNew();
        Assert.False(budget.SpinUntil(0, static _ => 0L));
        Assert.True(watch.Elapsed >= most, $"a spin of {most} gave up after {watch.Elapsed}"); // never before its budget
        Assert.Equal(most / 2, Budget());
        for (var i = 0; i < 3; i++)
            Assert.False(budget.SpinUntil(0, static _ => 0L)); // 8, 4, 2 ms
        Assert.Equal(most / 16, Budget());
        Assert.False(budget.SpinUntil(0, static _ => 0L));
        Assert.Equal(TimeSpan.Zero, Budget()); // below a sixteenth: no spin at all
        watch.Restart();
        Assert.False(budget.SpinUntil(0, static _ => 0L));
        Assert.True(watch.Elapsed < most / 2, $"a spin with no budget took {watch.Elapsed}");

        budget.CameAfter(Stopwatch.GetTimestamp()); // a sleep that ended at once: a longer spin might have paid
        Assert.Equal(most / 16, Budget());
        budget.CameAfter(Stopwatch.GetTimestamp() - Stopwatch.Frequency); // a second later: no spin would have
        Assert.Equal(most / 16, Budget());
        Assert.True(budget.SpinUntil(0, static _ => Stopwatch.GetTimestamp())); // seen as it arrived
        Assert.Equal(most / 8, Budget());
        Assert.True(budget.SpinUntil(0, static _ => Stopwatch.GetTimestamp() - Stopwatch.Frequency)); // seen a second late
        Assert.Equal(most / 16, Budget());

        Assert.False(new SpinBudget(new PythonExecutorOptions { IdleSpin = TimeSpan.Zero }).SpinUntil(0, static _ => 0L));
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(100_001)]
    public void IdleSpin_outside_0_to_100_ms_is_refused_naming_the_setting(int microseconds)
    {
        var error = Assert.Throws<ArgumentException>(() => new PythonExecutor(new PythonExecutorOptions { IdleSpin = TimeSpan.FromMicroseconds(microseconds) }));
        Assert.Contains("EmbeddedPython:IdleSpin must be between 0 and 100 ms", error.Message);
    }

    [Theory]
    [InlineData(50)]     // the default
    [InlineData(2_000)]
    [InlineData(50_000)] // a long spin ends all the same
    public async Task An_executor_with_nothing_to_do_uses_almost_no_CPU(int idleSpinMicroseconds)
    {
        // In a process of its own: the interpreter of this one serves every other test.
        var (exitCode, output) = await ChildProcess.RunAsync($"idle-cpu {idleSpinMicroseconds}");
        Assert.True(exitCode == 0, output);
        var line = output.Split('\n').Single(l => l.StartsWith("idle-cpu-percent=", StringComparison.Ordinal));
        var percent = double.Parse(line["idle-cpu-percent=".Length..], CultureInfo.InvariantCulture);
        // The aim is under 1% of a core; the bound leaves room for the runtime's own timers on a busy machine
        // and catches a spin that never stops (that would read near 100).
        Assert.True(percent < 10, $"the idle process used {percent}% of a core");
    }
}

using System.Diagnostics;
using System.Globalization;

namespace EmbeddedPython.Tests.Execution;

/// <summary>The hand-off between callers and the interpreter thread (<see cref="PythonExecutorOptions.IdleSpin"/>):
/// a short request finishes while its caller spins, a long one never holds the caller past the spin, and an
/// executor with nothing to do uses no CPU.</summary>
[Collection(PythonCollection.Name)]
public sealed class HandOffTests
{
    private static readonly PythonRequest Tiny = new() { Name = "handoff-tiny", Code = "y = x * 2", PresetValues = new Dictionary<string, object?> { ["x"] = 21L }, LimitReturnTo = ["y"] };

    [Fact]
    public async Task A_short_request_is_finished_when_ExecuteAsync_returns_to_a_caller_that_spins()
    {
        // A generous spin: even on a loaded machine the interpreter runs a cached line within it. Other tests'
        // requests may keep it busy now and then (a caller spins only when its request is next), so some of
        // the attempts, not all, find their result ready.
        await using var python = new PythonExecutor(new PythonExecutorOptions { IdleSpin = TimeSpan.FromMilliseconds(50) });
        await python.WaitUntilStartedAsync();
        var finishedOnReturn = 0;
        for (var i = 0; i < 200; i++)
        {
            var pending = python.ExecuteAsync(Tiny);
            if (pending.IsCompleted)
                finishedOnReturn++;
            Assert.Equal(42L, (await pending).Values["y"]);
        }
        Assert.True(finishedOnReturn > 0, "no request was finished when ExecuteAsync returned, though its caller spins for 50 ms");
    }

    [Fact]
    public async Task A_call_is_finished_when_CallAsync_returns_to_a_caller_that_spins()
    {
        await using var python = new PythonExecutor(new PythonExecutorOptions { IdleSpin = TimeSpan.FromMilliseconds(50) });
        await python.WaitUntilStartedAsync();
        var call = new PythonCall("operator", "add") { Args = [40L, 2L] };
        var finishedOnReturn = 0;
        for (var i = 0; i < 200; i++)
        {
            var pending = python.CallAsync<long>(call);
            if (pending.IsCompleted)
                finishedOnReturn++;
            Assert.Equal(42L, await pending);
        }
        Assert.True(finishedOnReturn > 0, "no call was finished when CallAsync returned, though its caller spins for 50 ms");
    }

    [Fact]
    public async Task A_caller_spins_no_longer_than_IdleSpin_for_a_long_request()
    {
        await using var python = new PythonExecutor(new PythonExecutorOptions { IdleSpin = TimeSpan.FromMilliseconds(20) });
        await python.WaitUntilStartedAsync();
        var watch = Stopwatch.StartNew();
        var pending = python.ExecuteAsync("import time\ntime.sleep(2)");
        var returnedAfter = watch.Elapsed;
        Assert.False(pending.IsCompleted);
        Assert.True(returnedAfter < TimeSpan.FromSeconds(1), $"ExecuteAsync returned after {returnedAfter}: the caller spun past its 20 ms");
        await pending;
    }

    [Fact]
    public async Task Requests_are_served_without_spinning_when_IdleSpin_is_zero()
    {
        await using var python = new PythonExecutor(new PythonExecutorOptions { IdleSpin = TimeSpan.Zero });
        for (var i = 0; i < 100; i++)
            Assert.Equal(42L, (await python.ExecuteAsync(Tiny)).Values["y"]);
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
    [InlineData(200)]    // the default
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

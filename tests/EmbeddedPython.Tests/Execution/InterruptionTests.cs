using System.Diagnostics;

namespace EmbeddedPython.Tests.Execution;

[Collection(PythonCollection.Name)]
public sealed class InterruptionTests(PythonFixture fixture)
{
    private readonly IPythonExecutor _python = fixture.Executor;

    public static TheoryData<string, string> BlockingCode => new()
    {
        { "loop", "n = 0\nwhile True:\n    n += 1" },
        { "sleep", "import time\ntime.sleep(30)" },
        { "select", "import select, socket\na, b = socket.socketpair()\nselect.select([a], [], [], 30)" },
        { "await", "import asyncio\nawait asyncio.sleep(30)" },
        { "catch-all", "import time\nwhile True:\n    try:\n        time.sleep(1)\n    except BaseException:\n        pass" },
    };

    [Theory]
    [MemberData(nameof(BlockingCode))]
    public async Task A_hundred_timeouts_in_a_row_each_interrupt_the_code_and_the_next_request_is_fine(string kind, string code)
    {
        for (var i = 0; i < 100; i++)
        {
            var watch = Stopwatch.StartNew();
            await Assert.ThrowsAsync<PythonTimeoutException>(() => _python.ExecuteAsync(new PythonRequest { Code = code, Timeout = TimeSpan.FromMilliseconds(50) }));
            var next = await _python.ExecuteAsync(new PythonRequest { Code = "y = x + 1", PresetValues = new Dictionary<string, object?> { ["x"] = i }, Timeout = TimeSpan.FromSeconds(10) });
            Assert.Equal(i + 1L, next.Values["y"]);
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(3), $"{kind}: timeout {i} and the next request took {watch.Elapsed}");
        }
    }

    [Fact]
    public async Task Cancelling_a_running_request_interrupts_it()
    {
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        var watch = Stopwatch.StartNew();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => _python.ExecuteAsync(new PythonRequest { Code = "import time\ntime.sleep(30)" }, cancel.Token));
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(2));
        var next = await _python.ExecuteAsync("ok = 1");
        Assert.Equal(1L, next.Values["ok"]);
    }

    [Fact]
    public async Task A_request_cancelled_while_queued_never_runs()
    {
        var blocker = _python.ExecuteAsync(new PythonRequest { Code = "import time\ntime.sleep(0.5)" });
        using var cancel = new CancellationTokenSource();
        var queued = _python.ExecuteAsync(new PythonRequest { Code = "import builtins\nbuiltins._queued_ran = True" }, cancel.Token);
        cancel.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => queued);
        await blocker;
        var check = await _python.ExecuteAsync("import builtins\nran = getattr(builtins, '_queued_ran', False)");
        Assert.Equal(false, check.Values["ran"]);
    }

    [Fact]
    public async Task The_time_limit_covers_the_wait_in_the_queue()
    {
        var blocker = _python.ExecuteAsync(new PythonRequest { Code = "import time\ntime.sleep(1)" });
        var watch = Stopwatch.StartNew();
        await Assert.ThrowsAsync<PythonTimeoutException>(() => _python.ExecuteAsync(new PythonRequest { Code = "x = 1", Timeout = TimeSpan.FromMilliseconds(100) }));
        Assert.True(watch.Elapsed < TimeSpan.FromMilliseconds(900), $"the queued request timed out after {watch.Elapsed}");
        await blocker;
    }
}

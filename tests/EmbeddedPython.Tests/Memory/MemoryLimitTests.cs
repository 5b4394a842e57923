using System.Diagnostics;

namespace EmbeddedPython.Tests.Memory;

[Collection(PythonCollection.Name)]
public sealed class MemoryLimitTests(PythonFixture fixture)
{
    private const long MB = 1024 * 1024;
    private readonly IPythonExecutor _python = fixture.Executor;

    [Fact]
    public async Task Allocating_8_GB_under_a_1_GB_limit_fails_at_once()
    {
        var watch = Stopwatch.StartNew();
        var result = await _python.ExecuteAsync(new PythonRequest
        {
            Code = """
                import time
                started = time.perf_counter()
                try:
                    bytearray(8 * 1024**3)
                    failed = False
                except MemoryError:
                    failed = True
                elapsed = time.perf_counter() - started
                """,
            MemoryLimit = 1024 * MB,
        });
        Assert.True((bool)result.Values["failed"]!);
        Assert.True((double)result.Values["elapsed"]! < 0.1, $"MemoryError took {result.Values["elapsed"]} s");
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task An_uncaught_MemoryError_names_the_limit()
    {
        var error = await Assert.ThrowsAsync<PythonException>(() => _python.ExecuteAsync(new PythonRequest
        {
            Code = "x = 'a' * 10**10",
            MemoryLimit = 100 * MB,
        }));
        Assert.Equal("MemoryError", error.PythonType);
        Assert.Contains("memory limit of 104,857,600 bytes (MemoryLimit)", error.Message);
        Assert.Contains("MemoryError", error.PythonTraceback);
    }

    [Fact]
    public async Task A_call_over_its_MemoryLimit_fails_with_MemoryError_and_the_same_call_without_it_runs()
    {
        var error = await Assert.ThrowsAsync<PythonException>(() => _python.CallAsync<object?>(
            new PythonCall("builtins", "bytearray") { Args = [8L * 1024 * MB], MemoryLimit = 1024 * MB }));
        Assert.Equal("MemoryError", error.PythonType);
        Assert.Contains("MemoryLimit", error.Message);
        Assert.Equal(4096, await _python.CallAsync<long>(new PythonCall("builtins", "len") { Args = [new string('x', 4096)] }));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => _python.CallAsync<long>(new PythonCall("builtins", "len") { Args = ["x"], MemoryLimit = 0 }));
    }

    [Fact]
    public async Task A_list_grown_until_the_limit_fails_gives_its_memory_back_and_the_next_request_runs()
    {
        await _python.ExecuteAsync(new PythonRequest { Code = "x = [len(str(i)) for i in range(1000)]", MemoryLimit = 256 * MB });
        var before = ResidentBytes();
        var error = await Assert.ThrowsAsync<PythonException>(() => _python.ExecuteAsync(new PythonRequest
        {
            Code = "x = []\nwhile True:\n    x.append(len(x) * 1.5)",
            MemoryLimit = 256 * MB,
            Timeout = TimeSpan.FromMinutes(2),
        }));
        Assert.Equal("MemoryError", error.PythonType);
        // The interpreter frees the request's memory right after delivering its error, before the next request.
        var next = await _python.ExecuteAsync(new PythonRequest { Code = "y = sum(range(100))", MemoryLimit = 256 * MB });
        var after = ResidentBytes();
        Assert.True(Math.Abs(after - before) < 50 * MB, $"resident {before / MB} MB before, {after / MB} MB after");
        Assert.Equal(4950L, next.Values["y"]);
    }

    [Fact]
    public async Task Of_two_concurrent_async_requests_only_the_one_over_its_limit_fails()
    {
        const string code = """
            import asyncio
            chunks = []
            for _ in range(count):
                chunks.append(bytearray(1024 * 1024))
                await asyncio.sleep(0)
            held = len(chunks)
            del chunks
            """;
        var small = _python.ExecuteAsync(new PythonRequest { Code = code, PresetValues = new Dictionary<string, object?> { ["count"] = 200 }, MemoryLimit = 64 * MB, LimitReturnTo = ["held"] });
        var large = _python.ExecuteAsync(new PythonRequest { Code = code, PresetValues = new Dictionary<string, object?> { ["count"] = 150 }, MemoryLimit = 512 * MB, LimitReturnTo = ["held"] });
        var error = await Assert.ThrowsAsync<PythonException>(() => small);
        Assert.Equal("MemoryError", error.PythonType);
        Assert.Contains("MemoryLimit", error.Message);
        Assert.Equal(150L, (await large).Values["held"]);
    }

    [Fact]
    public async Task Memory_freed_by_another_request_never_fails_it_nor_gives_it_headroom()
    {
        await _python.ExecuteAsync(new PythonRequest
        {
            Code = "import sys, types\ncache = sys.modules.setdefault('memory_test_cache', types.ModuleType('memory_test_cache'))\ncache.data = bytearray(60 * 1024 * 1024)",
            MemoryLimit = 100 * MB,
        });
        // Frees 60 MB it never allocated under a 10 MB limit: its count stays at zero, not -60 MB ...
        var freed = await _python.ExecuteAsync(new PythonRequest
        {
            Code = "import sys\ndel sys.modules['memory_test_cache'].data\nkept = len(bytearray(8 * 1024 * 1024))",
            MemoryLimit = 10 * MB,
        });
        Assert.Equal(8L * MB, freed.Values["kept"]);
        // ... so 20 MB more still goes over its 10 MB.
        var error = await Assert.ThrowsAsync<PythonException>(() => _python.ExecuteAsync(new PythonRequest
        {
            Code = "import sys\nsys.modules['memory_test_cache'].data = bytearray(60 * 1024 * 1024)\ndel sys.modules['memory_test_cache'].data\nx = bytearray(20 * 1024 * 1024)",
            MemoryLimit = 10 * MB,
        }));
        Assert.Equal("MemoryError", error.PythonType);
    }

    [Fact]
    public async Task Memory_a_request_left_behind_is_not_charged_to_the_next()
    {
        await _python.ExecuteAsync(new PythonRequest
        {
            Code = "import sys, types\nsys.modules.setdefault('memory_test_left', types.ModuleType('memory_test_left')).data = bytearray(80 * 1024 * 1024)",
            MemoryLimit = 100 * MB,
        });
        var result = await _python.ExecuteAsync(new PythonRequest
        {
            Code = "import sys\nsize = len(sys.modules['memory_test_left'].data)\ndel sys.modules['memory_test_left'].data\nmore = len(bytearray(90 * 1024 * 1024))",
            MemoryLimit = 100 * MB,
        });
        Assert.Equal(90L * MB, result.Values["more"]);
    }

    [Fact]
    public async Task A_thread_in_a_memory_budget_gets_MemoryError_past_it()
    {
        var result = await _python.ExecuteAsync("""
            import threading, embedded_python
            budget = embedded_python.MemoryBudget(16 * 1024 * 1024)
            outcome = []
            def work():
                with budget:
                    small = bytearray(4 * 1024 * 1024)
                    try:
                        bytearray(32 * 1024 * 1024)
                        outcome.append("allocated")
                    except MemoryError:
                        outcome.append("refused")
            t = threading.Thread(target=work)
            t.start()
            t.join()
            result = outcome[0]
            exceeded = budget.exceeded
            budget.close()
            del budget
            """);
        Assert.Equal("refused", result.Values["result"]);
        Assert.Equal(true, result.Values["exceeded"]);
    }

    [Fact]
    public async Task The_interpreter_thread_cannot_enter_a_budget()
    {
        var error = await Assert.ThrowsAsync<PythonException>(() => _python.ExecuteAsync("import embedded_python\nembedded_python.MemoryBudget(10**12).enter()"));
        Assert.Contains("charged by the host", error.Message);
    }

    [Theory]
    [InlineData(0L)]
    [InlineData(-1L)]
    public async Task A_limit_that_is_not_positive_is_refused(long limit)
    {
        var error = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => _python.ExecuteAsync(new PythonRequest { Code = "x = 1", MemoryLimit = limit }));
        Assert.Contains("MemoryLimit", error.Message);
        Assert.Throws<ArgumentException>(() => new PythonExecutor(new PythonExecutorOptions { DefaultMemoryLimit = limit }));
        var processError = Assert.Throws<ArgumentException>(() => new PythonExecutor(new PythonExecutorOptions { ProcessMemoryLimit = limit }));
        Assert.Contains("ProcessMemoryLimit", processError.Message);
    }

    [Fact]
    public async Task ProcessMemoryLimit_caps_every_Python_allocation()
    {
        var (exitCode, output) = await ChildProcess.RunAsync("process-memory-limit", limit: TimeSpan.FromMinutes(2));
        Assert.True(exitCode == 0, output);
        Assert.Contains("request=MemoryError process-limit-named=True thread=refused next=ok", output);
    }

    private static long ResidentBytes()
    {
        var fields = File.ReadAllText("/proc/self/statm").Split(' ');
        return long.Parse(fields[1]) * Environment.SystemPageSize;
    }
}

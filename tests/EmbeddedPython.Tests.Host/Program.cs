using System.Diagnostics;
using EmbeddedPython;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;

// Scenarios run by EmbeddedPython.Tests in a process of their own; each prints what the test asserts on.
switch (args.FirstOrDefault())
{
    case "smoke":
    {
        await using var python = new PythonExecutor(new PythonExecutorOptions());
        var result = await python.ExecuteAsync(new PythonRequest
        {
            Code = "import sys, math, asyncio\nversion = '%d.%d' % sys.version_info[:2]\ny = x * 2\nroot = math.sqrt(16)\nawait asyncio.sleep(0)",
            PresetValues = new Dictionary<string, object?> { ["x"] = 21 },
        });
        Console.WriteLine($"version={result.Values["version"]} y={result.Values["y"]} root={result.Values["root"]}");
        var timedOut = false;
        var watch = Stopwatch.StartNew();
        try { await python.ExecuteAsync(new PythonRequest { Code = "import time\ntime.sleep(30)", Timeout = TimeSpan.FromMilliseconds(200) }); }
        catch (PythonTimeoutException) { timedOut = true; }
        var after = await python.ExecuteAsync(new PythonRequest { Code = "ok = 1", LimitReturnTo = ["ok"] });
        Console.WriteLine($"sleep-interrupted={timedOut} within={watch.ElapsedMilliseconds < 2000} next={after.Values["ok"]}");
        return 0;
    }
    case "host":
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["EmbeddedPython:CodeCacheSize"] = args[1] });
        builder.Services.AddPythonExecutor();
        builder.Services.AddHealthChecks().AddPythonExecutor();
        using var host = builder.Build();
        try
        {
            await host.StartAsync();
        }
        catch (Exception e)
        {
            Console.WriteLine($"start-failed: {e.Message}");
            return 3;
        }
        var report = await host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync();
        var python = host.Services.GetRequiredService<IPythonExecutor>();
        var result = await python.ExecuteAsync("z = 6 * 7");
        Console.WriteLine($"health={report.Status} z={result.Values["z"]}");
        await host.StopAsync();
        return 0;
    }
    case "dispose-under-load":
    {
        var python = new PythonExecutor(new PythonExecutorOptions());
        await python.ExecuteAsync("warm = 1");
        var pending = Enumerable.Range(0, 200).Select(i => python.ExecuteAsync(new PythonRequest
        {
            Code = i % 10 == 0 ? "import time\ntime.sleep(5)" : "x = 1",
            Timeout = Timeout.InfiniteTimeSpan,
        })).ToList();
        var stream = python.StreamAsync(new PythonRequest { Code = "import asyncio\nawait asyncio.sleep(60)" }).GetAsyncEnumerator();
        var streamNext = stream.MoveNextAsync().AsTask();
        var watch = Stopwatch.StartNew();
        await python.DisposeAsync();
        var disposeMs = watch.ElapsedMilliseconds;
        var outcomes = new Dictionary<string, int>();
        foreach (var task in pending.Append<Task>(streamNext))
        {
            string kind;
            try { await task.WaitAsync(TimeSpan.FromSeconds(10)); kind = "ok"; }
            catch (TimeoutException) { kind = "hang"; }
            catch (Exception e) { kind = e.GetType().Name; }
            outcomes[kind] = outcomes.GetValueOrDefault(kind) + 1;
        }
        Console.WriteLine($"dispose-ms={disposeMs} " + string.Join(" ", outcomes.OrderBy(p => p.Key).Select(p => $"{p.Key}={p.Value}")));
        try { await python.ExecuteAsync("x = 1"); }
        catch (ObjectDisposedException) { Console.WriteLine("after-dispose=ObjectDisposedException"); }
        // CPython outlives its last executor: the next one is served by it, until the explicit shutdown.
        await using (var again = new PythonExecutor(new PythonExecutorOptions()))
            Console.WriteLine($"again-x={(await again.ExecuteAsync("x = 5")).Values["x"]}");
        watch.Restart();
        await PythonExecutor.ShutdownPythonAsync();
        Console.WriteLine($"shutdown-ms={watch.ElapsedMilliseconds}");
        try { _ = new PythonExecutor(new PythonExecutorOptions()); }
        catch (InvalidOperationException e) { Console.WriteLine($"after-shutdown={e.Message}"); }
        return 0;
    }
    case "venv":
    {
        await using var python = new PythonExecutor(new PythonExecutorOptions { VirtualEnvironment = args[1] });
        var result = await python.ExecuteAsync("import venv_only_module\nmark = venv_only_module.MARK");
        Console.WriteLine($"mark={result.Values["mark"]}");
        return 0;
    }
    case "requirements":
    {
        // requirements <requirements file> <libpython> <wheel folder>: installs offline, then imports what it installed.
        using var logs = Microsoft.Extensions.Logging.LoggerFactory.Create(b => Microsoft.Extensions.Logging.ConsoleLoggerExtensions.AddSimpleConsole(b));
        var options = new PythonExecutorOptions
        {
            Requirements = args[1],
            PythonLibrary = args[2],
            PipArguments = ["--no-index", "--find-links", args[3]],
        };
        await using var python = new PythonExecutor(options, logs);
        try
        {
            await python.WaitUntilStartedAsync();
        }
        catch (Exception e)
        {
            Console.WriteLine($"start-failed: {e.Message}");
            return 3;
        }
        var result = await python.ExecuteAsync("import tiny_greeting\ngreeting = tiny_greeting.greet('venv')\nwhere = tiny_greeting.__file__");
        Console.WriteLine($"greeting={result.Values["greeting"]} where={result.Values["where"]}");
        return 0;
    }
    case "soak":
    {
        // Small requests mixing every converted type, errors and timeouts; resident memory after warm-up and at the end.
        var count = int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture);
        await using var python = new PythonExecutor(new PythonExecutorOptions());
        var presets = new Dictionary<string, object?>
        {
            ["i"] = 42L, ["f"] = 2.5, ["s"] = "text ✓", ["b"] = true, ["n"] = null, ["big"] = System.Numerics.BigInteger.Pow(2, 80),
            ["by"] = new byte[] { 1, 2, 3 }, ["l"] = new List<object?> { 1L, "x" }, ["d"] = new Dictionary<string, object?> { ["k"] = 1L },
            ["dt"] = new DateTimeOffset(2024, 1, 2, 3, 4, 5, TimeSpan.Zero), ["day"] = new DateOnly(2024, 1, 2), ["m"] = 1.25m, ["g"] = Guid.NewGuid(),
        };
        var counts = new int[3];
        async Task One(int n)
        {
            try
            {
                if (n % 1000 == 999 && Environment.GetEnvironmentVariable("SOAK_ONLY_OK") is null)
                    await python.ExecuteAsync(new PythonRequest { Name = "soak-sleep", Code = "import time\ntime.sleep(5)", Timeout = TimeSpan.FromMilliseconds(20) });
                else if (n % 100 == 99 && Environment.GetEnvironmentVariable("SOAK_ONLY_OK") is null)
                    await python.ExecuteAsync(new PythonRequest { Name = "soak-error", Code = "raise ValueError(i)", PresetValues = presets });
                else
                    await python.ExecuteAsync(new PythonRequest { Name = "soak", Code = "out = (i, f, s, b, n, big, by, l, d, dt, day, m, g)\nprint(s)", PresetValues = presets });
                Interlocked.Increment(ref counts[0]);
            }
            catch (PythonTimeoutException) { Interlocked.Increment(ref counts[1]); }
            catch (PythonException) { Interlocked.Increment(ref counts[2]); }
        }
        async Task Batch(int from, int to)
        {
            for (var n = from; n < to; n += 64)
                await Task.WhenAll(Enumerable.Range(n, Math.Min(64, to - n)).Select(One));
        }
        long Resident()
        {
            // Aggressive: the GC also gives back the free regions it keeps committed for future allocations,
            // so that what remains is memory something still holds.
            GC.Collect();
            GC.WaitForPendingFinalizers();
            GC.Collect(2, GCCollectionMode.Aggressive, blocking: true, compacting: true);
            return Process.GetCurrentProcess().WorkingSet64;
        }
        var warmUp = Math.Min(count / 2, 100_000); // memory settles (pools, arenas, GC budgets) before the baseline is taken
        await Batch(0, warmUp);
        var afterWarmUp = Resident();
        var managedAfterWarmUp = GC.GetGCMemoryInfo().TotalCommittedBytes;
        var heapAfterWarmUp = GC.GetGCMemoryInfo().HeapSizeBytes;
        const string PythonHeap = "import sys, gc\ngc.collect()\nblocks = sys.getallocatedblocks()\nobjects = len(gc.get_objects())";
        var pythonAfterWarmUp = (await python.ExecuteAsync(PythonHeap)).Values;
        var watch = Stopwatch.StartNew();
        await Batch(warmUp, count);
        var atEnd = Resident();
        var managedAtEnd = GC.GetGCMemoryInfo().TotalCommittedBytes;
        var heapAtEnd = GC.GetGCMemoryInfo().HeapSizeBytes;
        var pythonAtEnd = (await python.ExecuteAsync(PythonHeap)).Values;
        Console.WriteLine($"requests={count} ok={counts[0]} timeouts={counts[1]} errors={counts[2]} seconds={watch.Elapsed.TotalSeconds:F1} "
            + $"rss-after-warmup-mb={afterWarmUp / 1048576.0:F1} rss-end-mb={atEnd / 1048576.0:F1} growth-percent={(atEnd - afterWarmUp) * 100.0 / afterWarmUp:F2} "
            + $"gc-committed-after-warmup-mb={managedAfterWarmUp / 1048576.0:F1} gc-committed-end-mb={managedAtEnd / 1048576.0:F1} "
            + $"gc-heap-after-warmup-mb={heapAfterWarmUp / 1048576.0:F2} gc-heap-end-mb={heapAtEnd / 1048576.0:F2} "
            + $"python-blocks={pythonAfterWarmUp["blocks"]}->{pythonAtEnd["blocks"]} python-objects={pythonAfterWarmUp["objects"]}->{pythonAtEnd["objects"]}");
        return 0;
    }
    case "quick-timing":
    {
        // A rough look at the hot path while developing; the real figures come from tests/EmbeddedPython.Benchmarks.
        await using var python = new PythonExecutor(new PythonExecutorOptions());
        var request = new PythonRequest { Name = "t", Code = "y = x * 2", PresetValues = new Dictionary<string, object?> { ["x"] = 21L }, LimitReturnTo = ["y"] };
        for (var i = 0; i < 20000; i++) await python.ExecuteAsync(request);
        var watch = Stopwatch.StartNew();
        const int N = 200000;
        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        for (var i = 0; i < N; i++) await python.ExecuteAsync(request);
        Console.WriteLine($"sequential-us={watch.Elapsed.TotalMicroseconds / N:F2} allocated-bytes-per-request={(GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore) / N}");
        watch.Restart();
        for (var i = 0; i < N; i += 64)
            await Task.WhenAll(Enumerable.Range(0, 64).Select(_ => python.ExecuteAsync(request)));
        Console.WriteLine($"in-flight-64-us={watch.Elapsed.TotalMicroseconds / N:F2}");
        return 0;
    }
    case "exit-without-dispose":
    {
        var python = new PythonExecutor(new PythonExecutorOptions());
        var result = await python.ExecuteAsync("import threading\nthreading.Thread(target=lambda: __import__('time').sleep(600)).start()\nx = 1");
        Console.WriteLine($"ran x={result.Values["x"]}");
        return 0; // returns from Main without disposing: the process must still exit
    }
    default:
        Console.Error.WriteLine("usage: EmbeddedPython.Tests.Host smoke|host <cacheSize>|venv <folder>|requirements <file> <libpython> <wheels>|soak <requests>|dispose-under-load|exit-without-dispose");
        return 2;
}

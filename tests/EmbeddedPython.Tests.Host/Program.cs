using System.Diagnostics;
using EmbeddedPython;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;

// Scenarios run by EmbeddedPython.Tests in a process of their own; each prints what the test asserts on.
const string PythonHeap = "import sys, gc\ngc.collect()\nblocks = sys.getallocatedblocks()\nobjects = len(gc.get_objects())";
switch (args.FirstOrDefault())
{
    case "process-exit":
    {
        // "allow": os._exit(7) ends this process with 7; "refuse": it is refused and the process goes on.
        await using var python = new PythonExecutor(new PythonExecutorOptions { AllowProcessExit = args[1] == "allow" });
        try
        {
            await python.ExecuteAsync("import os\nos._exit(7)");
        }
        catch (PythonException e)
        {
            Console.WriteLine($"survived {e.PythonType}: {e.Message}");
        }
        return 0;
    }
    case "default-policy":
    {
        // DefaultPolicy applies to requests that set none; a request's own policy replaces it.
        await using var python = new PythonExecutor(new PythonExecutorOptions { DefaultPolicy = PythonPolicy.Strict });
        foreach (var request in new[]
        {
            new PythonRequest { Code = "import subprocess\nsubprocess.run(['true'])" },
            new PythonRequest { Code = "import subprocess\nsubprocess.run(['true'])", Policy = new PythonPolicy() },
        })
        {
            try
            {
                await python.ExecuteAsync(request);
                Console.WriteLine("ran");
            }
            catch (PythonException e)
            {
                Console.WriteLine($"{e.PythonType}: {e.Message}");
            }
        }
        return 0;
    }
    case "lazy-imports":
    {
        // What start-up leaves unimported; then asyncio imported first by a thread of request code: sync code
        // after it still gets the host's loop from asyncio.get_event_loop(), and the task it creates runs.
        await using var python = new PythonExecutor(new PythonExecutorOptions());
        var first = await python.ExecuteAsync(new PythonRequest
        {
            Code = "import sys\nloaded = ','.join(m for m in ('asyncio', 'traceback', 'uuid', 'decimal', 'datetime') if m in sys.modules) or 'none'",
            LimitReturnTo = ["loaded"],
        });
        Console.WriteLine($"loaded-at-start={first.Values["loaded"]}");
        await python.ExecuteAsync("import threading\nt = threading.Thread(target=__import__, args=('asyncio',))\nt.start()\nt.join()");
        await Task.Delay(100); // the interpreter thread's idle turn makes the loop its current one
        var scheduled = await python.ExecuteAsync(new PythonRequest
        {
            Code = "import asyncio, builtins\nfrom embedded_python import _runtime\nbuiltins._lazy_ticks = []\nasync def tick():\n    builtins._lazy_ticks.append(1)\n"
                + "asyncio.get_event_loop().create_task(tick())\nsame = asyncio.get_event_loop() is _runtime.loop",
            LimitReturnTo = ["same"],
        });
        var ticks = await python.ExecuteAsync(new PythonRequest { Code = "import asyncio, builtins\nawait asyncio.sleep(0.01)\nticks = len(builtins._lazy_ticks)", LimitReturnTo = ["ticks"] });
        Console.WriteLine($"host-loop={scheduled.Values["same"]} ticks={ticks.Values["ticks"]}");
        return 0;
    }
    case "idle-cpu":
    {
        // After a burst of requests, what the process's threads use while the executor has nothing to do:
        // the interpreter thread's spin ends and it sleeps (args[1]: IdleSpin in microseconds).
        await using var python = new PythonExecutor(new PythonExecutorOptions { IdleSpin = TimeSpan.FromMicroseconds(int.Parse(args[1])) });
        var request = new PythonRequest { Name = "double", Code = "y = x * 2", PresetValues = new Dictionary<string, object?> { ["x"] = 21L } };
        for (var i = 0; i < 2_000; i++)
            await python.ExecuteAsync(request);
        await Task.Delay(200); // past any spin
        var before = Process.GetCurrentProcess().TotalProcessorTime;
        var watch = Stopwatch.StartNew();
        await Task.Delay(2_000);
        var used = Process.GetCurrentProcess().TotalProcessorTime - before;
        Console.WriteLine($"idle-cpu-percent={100 * used.TotalMilliseconds / watch.Elapsed.TotalMilliseconds:F2}");
        return 0;
    }
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
        // An optional second argument: how many interpreters (sub-interpreters end before CPython is finalised).
        var options = new PythonExecutorOptions { Interpreters = args.Length > 1 ? int.Parse(args[1]) : 1 };
        var python = new PythonExecutor(options);
        await python.ExecuteAsync("warm = 1");
        var pending = Enumerable.Range(0, 200).Select(i => python.ExecuteAsync(new PythonRequest
        {
            Code = i % 10 == 0 ? "import time\ntime.sleep(5)" : i % 10 == 1 ? "while True:\n    pass" : "x = 1",
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
        await using (var again = new PythonExecutor(options))
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
        Task Batch(int from, int to) => InBatchesOf64(from, to, One);
        var warmUp = Math.Min(count / 2, 100_000); // memory settles (pools, arenas, GC budgets) before the baseline is taken
        await Batch(0, warmUp);
        var afterWarmUp = Resident();
        var managedAfterWarmUp = GC.GetGCMemoryInfo().TotalCommittedBytes;
        var heapAfterWarmUp = GC.GetGCMemoryInfo().HeapSizeBytes;
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
    case "handle-soak":
    {
        // Calls that return handles, half disposed and half dropped for the finaliser; each tenth handle is passed
        // back as an argument. Resident memory and live Python objects after warm-up and at the end.
        var count = int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture);
        await using var python = new PythonExecutor(new PythonExecutorOptions());
        var read = 0;
        async Task One(int n)
        {
            var handle = await python.CallAsync<PythonObject>(new PythonCall("types", "SimpleNamespace") { Kwargs = new Dictionary<string, object?> { ["n"] = n } });
            if (n % 10 == 0 && await python.CallAsync<long>("builtins", "getattr", handle, "n") == n)
                Interlocked.Increment(ref read);
            if (n % 2 == 0)
                await handle.DisposeAsync();
        }
        Task Batch(int from, int to) => InBatchesOf64(from, to, One);
        var warmUp = Math.Min(count / 2, 100_000);
        await Batch(0, warmUp);
        var afterWarmUp = Resident();
        var heapAfterWarmUp = GC.GetGCMemoryInfo().HeapSizeBytes;
        var pythonAfterWarmUp = (await python.ExecuteAsync(PythonHeap)).Values;
        var watch = Stopwatch.StartNew();
        await Batch(warmUp, count);
        var atEnd = Resident();
        var heapAtEnd = GC.GetGCMemoryInfo().HeapSizeBytes;
        var pythonAtEnd = (await python.ExecuteAsync(PythonHeap)).Values;
        Console.WriteLine($"calls={count} read-back={read} seconds={watch.Elapsed.TotalSeconds:F1} "
            + $"rss-after-warmup-mb={afterWarmUp / 1048576.0:F1} rss-end-mb={atEnd / 1048576.0:F1} growth-percent={(atEnd - afterWarmUp) * 100.0 / afterWarmUp:F2} "
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
        // The call API doing the same work: operator.mul(21, 2).
        var call = new PythonCall("operator", "mul") { Args = [21L, 2L] };
        for (var i = 0; i < 20000; i++) await python.CallAsync<long>(call);
        watch.Restart();
        allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        for (var i = 0; i < N; i++) await python.CallAsync<long>(call);
        Console.WriteLine($"call-sequential-us={watch.Elapsed.TotalMicroseconds / N:F2} allocated-bytes-per-call={(GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore) / N}");
        // CPU time per operation with 64 in flight: on a busy machine, steadier than elapsed time.
        async Task<double> CpuMicroseconds(Func<Task> one)
        {
            var cpu = Process.GetCurrentProcess().TotalProcessorTime;
            for (var i = 0; i < N; i += 64)
                await Task.WhenAll(Enumerable.Range(0, 64).Select(_ => one()));
            return (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMicroseconds / N;
        }
        Console.WriteLine($"request-cpu-us={await CpuMicroseconds(() => python.ExecuteAsync(request)):F2} call-cpu-us={await CpuMicroseconds(() => python.CallAsync<long>(call)):F2}");
        return 0;
    }
    case "process-memory-limit":
    {
        // Past ProcessMemoryLimit a request without a limit of its own, and a Python thread, get MemoryError.
        await using var python = new PythonExecutor(new PythonExecutorOptions { ProcessMemoryLimit = 300L * 1024 * 1024 });
        var named = "no error";
        try { await python.ExecuteAsync("x = bytearray(400 * 1024 * 1024)"); }
        catch (PythonException e) { named = $"{e.PythonType} process-limit-named={e.Message.Contains("ProcessMemoryLimit", StringComparison.Ordinal)}"; }
        var thread = await python.ExecuteAsync("""
            import threading
            outcome = []
            def work():
                try:
                    bytearray(400 * 1024 * 1024)
                    outcome.append("allocated")
                except MemoryError:
                    outcome.append("refused")
            t = threading.Thread(target=work)
            t.start()
            t.join()
            outcome = outcome[0]
            """);
        var next = await python.ExecuteAsync("y = len(bytearray(10 * 1024 * 1024))");
        Console.WriteLine($"request={named} thread={thread.Values["outcome"]} next={(next.Values["y"] is 10485760L ? "ok" : "wrong")}");
        return 0;
    }
    case "memory-cost":
    {
        // The allocator hook's cost on a loaded machine: medians of many short rounds, before the hook is
        // installed, then rounds with the hook but no limit alternating with rounds under a 1 GB limit.
        await using var python = new PythonExecutor(new PythonExecutorOptions());
        const int Rounds = 30, PerRound = 2000;
        var scenarios = new (string Name, PythonRequest Request)[]
        {
            ("scenario1", new PythonRequest { Name = "double", Code = "y = x * 2", PresetValues = new Dictionary<string, object?> { ["x"] = 21L }, LimitReturnTo = ["y"] }),
            ("dict10", new PythonRequest { Name = "mixed", Code = "d = {'i': 42, 'f': 3.5, 's': 'hello world', 'b': True, 'n': None, 'big': 2**70, 'by': b'abc\\x00', 'l': [1, 2.5, 'x'], 't': (1, 'a'), 'm': {'k': 1, 'j': [None]}}", LimitReturnTo = ["d"] }),
        };
        async Task<double> Round(PythonRequest request)
        {
            var watch = Stopwatch.StartNew();
            for (var i = 0; i < PerRound; i++) await python.ExecuteAsync(request);
            return watch.Elapsed.TotalMicroseconds / PerRound;
        }
        static double Median(List<double> values) { values.Sort(); return values[values.Count / 2]; }
        var none = scenarios.ToDictionary(s => s.Name, _ => new List<double>());
        var hook = scenarios.ToDictionary(s => s.Name, _ => new List<double>());
        var limited = scenarios.ToDictionary(s => s.Name, _ => new List<double>());
        foreach (var (_, request) in scenarios) for (var i = 0; i < 30; i++) await Round(request); // past tiered JIT
        for (var r = 0; r < Rounds; r++)
            foreach (var (name, request) in scenarios) none[name].Add(await Round(request));
        foreach (var (name, request) in scenarios)
            for (var r = 0; r < Rounds; r++)
            {
                hook[name].Add(await Round(request));
                limited[name].Add(await Round(request with { MemoryLimit = 1L << 30 }));
            }
        foreach (var (name, _) in scenarios)
        {
            double n = Median(none[name]), h = Median(hook[name]), l = Median(limited[name]);
            Console.WriteLine($"{name}: no-hook-us={n:F2} hook-no-limit-us={h:F2} ({(h / n - 1) * 100:+0.0;-0.0}%) limit-1GB-us={l:F2} ({(l / n - 1) * 100:+0.0;-0.0}% vs no hook, {(l / h - 1) * 100:+0.0;-0.0}% vs hook)");
        }
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
        Console.Error.WriteLine("usage: EmbeddedPython.Tests.Host smoke|lazy-imports|host <cacheSize>|venv <folder>|requirements <file> <libpython> <wheels>|soak <requests>|handle-soak <calls>|dispose-under-load|exit-without-dispose");
        return 2;
}

// Resident memory after an aggressive collection: the GC also gives back the free regions it keeps committed
// for future allocations, so that what remains is memory something still holds. Finalisers run first, so that
// dropped handles have queued their release.
static long Resident()
{
    GC.Collect();
    GC.WaitForPendingFinalizers();
    GC.Collect(2, GCCollectionMode.Aggressive, blocking: true, compacting: true);
    return Process.GetCurrentProcess().WorkingSet64;
}

// Runs work items from..to-1, 64 in flight at a time.
static async Task InBatchesOf64(int from, int to, Func<int, Task> one)
{
    for (var n = from; n < to; n += 64)
        await Task.WhenAll(Enumerable.Range(n, Math.Min(64, to - n)).Select(one));
}

using System.Diagnostics;

namespace EmbeddedPython.Tests.Execution;

/// <summary>An executor with two interpreters (the main one and a sub-interpreter), on CPython 3.12+.</summary>
public sealed class InterpretersFixture : IAsyncLifetime
{
    public PythonExecutor? Executor { get; private set; }

    /// <summary>The native thread id of each interpreter's thread: "main", and a key that lands on the sub-interpreter.</summary>
    public long MainThread { get; private set; }
    public long SubThread { get; private set; }
    public string SubKey { get; private set; } = "";

    public static bool Supported(PythonExecutor any) =>
        Version.TryParse(any.PythonVersion?.Split(' ')[0], out var version) && version >= new Version(3, 12);

    public async Task InitializeAsync()
    {
        await using var probe = new PythonExecutor(new PythonExecutorOptions());
        await probe.WaitUntilStartedAsync();
        if (!Supported(probe))
            return;
        Executor = new PythonExecutor(new PythonExecutorOptions
        {
            Interpreters = 2,
            SearchPaths = { Path.Combine(AppContext.BaseDirectory, "Calls") },
        });
        await Executor.WaitUntilStartedAsync();
        MainThread = await ThreadOf("main");
        foreach (var key in Enumerable.Range(0, 32).Select(i => $"key-{i}"))
        {
            var thread = await ThreadOf(key);
            if (thread != MainThread)
            {
                (SubKey, SubThread) = (key, thread);
                break;
            }
        }
    }

    public async Task<long> ThreadOf(string? affinity)
    {
        var result = await Executor!.ExecuteAsync(new PythonRequest { Code = "import threading\nt = threading.get_native_id()", Affinity = affinity });
        return (long)result.Values["t"]!;
    }

    public async Task DisposeAsync()
    {
        if (Executor is not null)
            await Executor.DisposeAsync();
    }
}

[Collection(PythonCollection.Name)]
public sealed class InterpretersTests(PythonFixture python, InterpretersFixture fixture) : IClassFixture<InterpretersFixture>
{
    private PythonExecutor Executor
    {
        get
        {
            Skip.IfNot(fixture.Executor is not null, $"sub-interpreters need CPython 3.12+, this process runs {python.Executor.PythonVersion}");
            return fixture.Executor!;
        }
    }

    [SkippableFact]
    public async Task Five_hundred_concurrent_requests_run_on_both_interpreters_with_their_own_output_and_values()
    {
        var executor = Executor;
        var requests = Enumerable.Range(0, 500).Select(i => executor.ExecuteAsync(new PythonRequest
        {
            Code = "import threading\ns = 0\nfor k in range(20000):\n    s += k\nprint('request', n)\nprint('square', n * n)\nt = threading.get_native_id()",
            PresetValues = new Dictionary<string, object?> { ["n"] = i },
        })).ToArray();
        var results = await Task.WhenAll(requests);
        for (var i = 0; i < results.Length; i++)
        {
            Assert.Equal($"request {i}\nsquare {i * i}\n", results[i].Output);
            Assert.Equal((long)i, results[i].Values["n"]);
            Assert.Equal(199990000L, results[i].Values["s"]);
        }
        var threads = results.Select(r => (long)r.Values["t"]!).Distinct().ToHashSet();
        Assert.Equal(new HashSet<long> { fixture.MainThread, fixture.SubThread }, threads);
    }

    [SkippableFact]
    public async Task Affinity_pins_requests_and_calls_to_one_interpreter_whose_state_they_find_again()
    {
        var executor = Executor;
        Assert.NotEqual("", fixture.SubKey);
        const string count = "import sys, types, threading\nm = sys.modules.setdefault('affinity_state', types.ModuleType('affinity_state'))\nm.n = getattr(m, 'n', 0) + 1\nn = m.n\nt = threading.get_native_id()";
        var seen = new List<long>();
        for (var i = 0; i < 20; i++)
        {
            var result = await executor.ExecuteAsync(new PythonRequest { Code = count, Affinity = fixture.SubKey });
            Assert.Equal(fixture.SubThread, result.Values["t"]);
            seen.Add((long)result.Values["n"]!);
        }
        Assert.Equal(Enumerable.Range((int)seen[0], 20).Select(n => (long)n), seen);
        var onMain = await executor.ExecuteAsync(new PythonRequest { Code = count, Affinity = "main" });
        Assert.Equal(fixture.MainThread, onMain.Values["t"]);
        var call = new PythonCall("threading", "get_native_id");
        Assert.Equal(fixture.SubThread, await executor.CallAsync<long>(call with { Affinity = fixture.SubKey }));
        Assert.Equal(fixture.MainThread, await executor.CallAsync<long>(call with { Affinity = "main" }));
    }

    [SkippableFact]
    public async Task Values_without_a_C_API_of_their_own_convert_on_a_sub_interpreter_with_its_own_types()
    {
        var executor = Executor;
        var when = new DateTime(2026, 12, 2, 5, 30, 0, DateTimeKind.Unspecified);
        var id = Guid.NewGuid();
        var result = await executor.ExecuteAsync(new PythonRequest
        {
            Code = "import datetime, decimal, uuid\nd2 = d * 2\nw2 = w + datetime.timedelta(days=1)\ng2 = g\nkind = type(g).__name__",
            Affinity = fixture.SubKey,
            PresetValues = new Dictionary<string, object?> { ["d"] = 1.25m, ["w"] = when, ["g"] = id },
        });
        Assert.Equal(2.50m, result.Values["d2"]);
        Assert.Equal(when.AddDays(1), result.Values["w2"]);
        Assert.Equal(id, result.Values["g2"]);
    }

    [SkippableFact]
    public async Task Memory_limits_and_policies_hold_on_a_sub_interpreter_for_its_request_only()
    {
        var executor = Executor;
        const long MB = 1024 * 1024;
        var refused = await Assert.ThrowsAsync<PythonException>(() => executor.ExecuteAsync(new PythonRequest
        {
            Code = "blocks = [bytearray(1024 * 1024) for _ in range(200)]", Affinity = fixture.SubKey, MemoryLimit = 50 * MB,
        }));
        Assert.Equal("MemoryError", refused.PythonType);
        var denied = await Assert.ThrowsAsync<PythonException>(() => executor.ExecuteAsync(new PythonRequest
        {
            Code = "import subprocess\nsubprocess.run(['true'])", Affinity = fixture.SubKey, Policy = new PythonPolicy { DenyProcesses = true },
        }));
        Assert.Equal("PermissionError", denied.PythonType);
        Assert.Contains("denied by policy", denied.Message);
        var free = await executor.ExecuteAsync(new PythonRequest { Code = "blocks = len([bytearray(1024 * 1024) for _ in range(200)])", Affinity = fixture.SubKey });
        Assert.Equal(200L, free.Values["blocks"]);
    }

    [SkippableFact]
    public async Task A_handle_is_used_on_the_interpreter_that_made_it()
    {
        var executor = Executor;
        await using var module = await executor.CallAsync<PythonObject>(new PythonCall("importlib", "import_module") { Args = ["threading"], Affinity = fixture.SubKey });
        for (var i = 0; i < 5; i++)
            Assert.Equal(fixture.SubThread, await module.CallMethodAsync<long>("get_native_id"));
        var result = await executor.ExecuteAsync(new PythonRequest { Code = "t = m.get_native_id()", PresetValues = new Dictionary<string, object?> { ["m"] = module } });
        Assert.Equal(fixture.SubThread, result.Values["t"]);
        var error = await Assert.ThrowsAsync<ArgumentException>(() => executor.ExecuteAsync(new PythonRequest { Code = "t = m", Affinity = "main", PresetValues = new Dictionary<string, object?> { ["m"] = module } }));
        Assert.Contains("belongs to the sub-1 interpreter", error.Message);
    }

    public static TheoryData<string, string> BlockingCode => new()
    {
        { "loop", "n = 0\nwhile True:\n    n += 1" },
        { "sleep", "import time\ntime.sleep(30)" },
        { "await", "import asyncio\nawait asyncio.sleep(30)" },
        { "loop-catching", "n = 0\nwhile True:\n    try:\n        n += 1\n    except BaseException:\n        pass" },
    };

    [SkippableTheory]
    [MemberData(nameof(BlockingCode))]
    public async Task Time_limits_and_cancellation_interrupt_code_on_every_interpreter(string kind, string code)
    {
        var executor = Executor;
        foreach (var affinity in new[] { "main", fixture.SubKey })
        {
            for (var i = 0; i < 5; i++)
            {
                var watch = Stopwatch.StartNew();
                await Assert.ThrowsAsync<PythonTimeoutException>(() => executor.ExecuteAsync(new PythonRequest { Code = code, Affinity = affinity, Timeout = TimeSpan.FromMilliseconds(100) }));
                using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));
                await Assert.ThrowsAnyAsync<OperationCanceledException>(() => executor.ExecuteAsync(new PythonRequest { Code = code, Affinity = affinity, Timeout = Timeout.InfiniteTimeSpan }, cancel.Token));
                var next = await executor.ExecuteAsync(new PythonRequest { Code = "import threading\ny = x + 1\nt = threading.get_native_id()", Affinity = affinity, PresetValues = new Dictionary<string, object?> { ["x"] = i }, Timeout = TimeSpan.FromSeconds(10) });
                Assert.Equal(i + 1L, next.Values["y"]);
                Assert.Equal(affinity == "main" ? fixture.MainThread : fixture.SubThread, next.Values["t"]);
                Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"{kind} on {affinity}: two interruptions and the next request took {watch.Elapsed}");
            }
        }
    }

    [SkippableFact]
    public async Task A_single_phase_extension_module_is_refused_on_a_sub_interpreter_with_the_way_out_and_loads_on_main()
    {
        var executor = Executor;
        var error = await Assert.ThrowsAsync<PythonException>(() => executor.ExecuteAsync(new PythonRequest { Code = "import _testsinglephase", Affinity = fixture.SubKey }));
        Assert.Equal("ImportError", error.PythonType);
        Assert.Contains("_testsinglephase", error.Message);
        Assert.Contains("Affinity = \"main\"", error.Message);
        var onMain = await executor.ExecuteAsync(new PythonRequest { Code = "import _testsinglephase\nok = _testsinglephase.__name__", Affinity = "main" });
        Assert.Equal("_testsinglephase", onMain.Values["ok"]);
    }

    [SkippableFact]
    public async Task Disposing_an_executor_under_load_ends_its_work_on_every_interpreter_and_the_interpreters_serve_on()
    {
        _ = Executor;
        var other = new PythonExecutor(new PythonExecutorOptions { Interpreters = 2 });
        await other.WaitUntilStartedAsync();
        var work = Enumerable.Range(0, 200).Select(i => other.ExecuteAsync(new PythonRequest
        {
            Code = i % 3 == 0 ? "import time\ntime.sleep(30)" : i % 3 == 1 ? "while True:\n    pass" : "x = 1",
        })).ToArray();
        await Task.Delay(200);
        var watch = Stopwatch.StartNew();
        await other.DisposeAsync();
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(6), $"dispose took {watch.Elapsed}");
        foreach (var request in work)
        {
            var outcome = await Record.ExceptionAsync(() => request).WaitAsync(TimeSpan.FromSeconds(10));
            Assert.True(outcome is null or ObjectDisposedException, $"a request ended with {outcome}");
        }
        Assert.Contains(work, request => request.IsFaulted);
        Assert.Equal(fixture.MainThread, await fixture.ThreadOf("main"));
        Assert.Equal(fixture.SubThread, await fixture.ThreadOf(fixture.SubKey));
    }

    [SkippableFact]
    public async Task The_last_executor_using_a_sub_interpreter_ends_it_and_a_later_one_starts_another()
    {
        _ = Executor;
        async Task<HashSet<long>> ThreadsOfThreeInterpreters()
        {
            await using var executor = new PythonExecutor(new PythonExecutorOptions { Interpreters = 3 });
            var results = await Task.WhenAll(Enumerable.Range(0, 90).Select(_ => executor.ExecuteAsync(
                "import threading\ns = 0\nfor k in range(50000):\n    s += k\nt = threading.get_native_id()")));
            return results.Select(r => (long)r.Values["t"]!).ToHashSet();
        }
        var first = await ThreadsOfThreeInterpreters();
        var second = await ThreadsOfThreeInterpreters();
        Assert.Equal(3, first.Count);
        Assert.Equal(3, second.Count);
        // The main interpreter and sub-1 (the fixture's executor still uses it) serve both; sub-2 was ended.
        Assert.Equal(new HashSet<long> { fixture.MainThread, fixture.SubThread }, first.Intersect(second).ToHashSet());
    }

    [SkippableFact]
    public async Task The_explicit_shutdown_ends_the_sub_interpreters_under_load_then_finalises_within_the_bound()
    {
        _ = Executor;
        // A process of its own (the same CPython: EMBEDDEDPYTHON_LIBPYTHON is inherited), since CPython is finalised.
        var (exitCode, output) = await ChildProcess.RunAsync("dispose-under-load 2");
        Assert.True(exitCode == 0, output);
        Assert.DoesNotContain("hang=", output);
        Assert.Contains("after-dispose=ObjectDisposedException", output);
        Assert.True(int.Parse(System.Text.RegularExpressions.Regex.Match(output, @"dispose-ms=(\d+)").Groups[1].Value) < 5000, output);
        Assert.Contains("again-x=5", output);
        Assert.True(int.Parse(System.Text.RegularExpressions.Regex.Match(output, @"shutdown-ms=(\d+)").Groups[1].Value) < 5000, output);
        Assert.Contains("after-shutdown=Python was shut down", output);
    }

    [SkippableFact]
    public async Task More_than_one_interpreter_below_3_12_fails_at_start_naming_3_12()
    {
        Skip.If(InterpretersFixture.Supported(python.Executor), "this process runs CPython 3.12+, which has sub-interpreters");
        await using var executor = new PythonExecutor(new PythonExecutorOptions { Interpreters = 2 });
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => executor.WaitUntilStartedAsync());
        Assert.Contains("3.12", error.Message);
        Assert.Contains("Interpreters", error.Message);
        var request = await Assert.ThrowsAnyAsync<Exception>(() => executor.ExecuteAsync("x = 1"));
        Assert.Contains("3.12", request.Message);
    }
}

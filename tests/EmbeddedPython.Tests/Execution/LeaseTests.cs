namespace EmbeddedPython.Tests.Execution;

/// <summary>Executors are leases on the one interpreter of the process (the fixture's executor is one of them).</summary>
[Collection(PythonCollection.Name)]
public sealed class LeaseTests(PythonFixture fixture)
{
    private static readonly TimeSpan Hang = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Two_live_executors_both_serve_with_their_own_code_cache_and_their_requests_interleave()
    {
        await using var second = new PythonExecutor(new PythonExecutorOptions());
        await second.WaitUntilStartedAsync().WaitAsync(Hang);
        Assert.Equal(fixture.Executor.PythonVersion, second.PythonVersion);

        // The same name means each executor's own code.
        await fixture.Executor.ExecuteAsync(new PythonRequest { Name = "lease-shared-name", Code = "y = x + 1", PresetValues = new Dictionary<string, object?> { ["x"] = 1 } });
        await second.ExecuteAsync(new PythonRequest { Name = "lease-shared-name", Code = "y = x * 10", PresetValues = new Dictionary<string, object?> { ["x"] = 1 } });

        var first = Enumerable.Range(0, 300).Select(i => fixture.Executor.ExecuteAsync(new PythonRequest
        {
            Name = "lease-shared-name", PresetValues = new Dictionary<string, object?> { ["x"] = i }, LimitReturnTo = ["y"],
        }));
        var other = Enumerable.Range(0, 300).Select(i => second.ExecuteAsync(new PythonRequest
        {
            Name = "lease-shared-name", PresetValues = new Dictionary<string, object?> { ["x"] = i }, LimitReturnTo = ["y"],
        }));
        var firstResults = await Task.WhenAll(first).WaitAsync(Hang);
        var otherResults = await Task.WhenAll(other).WaitAsync(Hang);
        Assert.Equal(Enumerable.Range(0, 300).Select(i => (object?)(i + 1L)), firstResults.Select(r => r.Values["y"]));
        Assert.Equal(Enumerable.Range(0, 300).Select(i => (object?)(i * 10L)), otherResults.Select(r => r.Values["y"]));
    }

    [Fact]
    public async Task Disposing_one_executor_fails_its_pending_requests_while_the_other_serves_all_of_its_own()
    {
        var doomed = new PythonExecutor(new PythonExecutorOptions { DefaultTimeout = Timeout.InfiniteTimeSpan });
        await doomed.WaitUntilStartedAsync().WaitAsync(Hang);
        var running = doomed.ExecuteAsync("import time\ntime.sleep(30)");
        var queued = Enumerable.Range(0, 50).Select(i => doomed.ExecuteAsync(new PythonRequest { Code = "x = 1" })).ToList();
        var open = doomed.ExecuteAsync("import asyncio\nawait asyncio.sleep(60)");
        await using var stream = doomed.StreamAsync(new PythonRequest { Code = "import asyncio\nawait asyncio.sleep(60)" }).GetAsyncEnumerator();
        var streamNext = stream.MoveNextAsync().AsTask();
        var others = Enumerable.Range(0, 200).Select(i => fixture.Executor.ExecuteAsync(new PythonRequest
        {
            Name = "lease-other", Code = "y = x * 2", PresetValues = new Dictionary<string, object?> { ["x"] = i }, LimitReturnTo = ["y"],
        })).ToList();

        await doomed.DisposeAsync().AsTask().WaitAsync(Hang);

        foreach (var task in queued.Append(running).Append(open))
            await Assert.ThrowsAsync<ObjectDisposedException>(() => task.WaitAsync(Hang));
        await Assert.ThrowsAsync<ObjectDisposedException>(() => streamNext.WaitAsync(Hang));
        await Assert.ThrowsAsync<ObjectDisposedException>(() => doomed.ExecuteAsync("x = 1"));
        var results = await Task.WhenAll(others).WaitAsync(Hang);
        Assert.Equal(Enumerable.Range(0, 200).Select(i => (object?)(i * 2L)), results.Select(r => r.Values["y"]));
        var next = await fixture.Executor.ExecuteAsync(new PythonRequest { Code = "import time\nt0 = time.monotonic()\nz = 1", LimitReturnTo = ["z"] });
        Assert.Equal(1L, next.Values["z"]);
    }

    [Fact]
    public async Task A_disposed_executors_asyncio_tasks_are_cancelled_those_of_open_and_of_finished_requests()
    {
        var doomed = new PythonExecutor(new PythonExecutorOptions());
        // A finished request leaves a task behind; an open async request is waiting. Both are kept where
        // the other executor can look at them (imported modules are shared by the process).
        await doomed.ExecuteAsync("""
            import asyncio, sys, types
            probe = sys.modules.setdefault("lease_probe", types.ModuleType("lease_probe"))
            async def forever():
                while True:
                    await asyncio.sleep(0.01)
            probe.left_behind = asyncio.get_event_loop().create_task(forever())
            """);
        var open = doomed.ExecuteAsync(new PythonRequest { Code = "import asyncio, sys\nsys.modules['lease_probe'].open = asyncio.current_task()\nawait asyncio.sleep(60)" });
        var alive = await fixture.Executor.ExecuteAsync(new PythonRequest
        {
            Code = "import asyncio, sys\nawait asyncio.sleep(0.1)\np = sys.modules['lease_probe']\nalive = not p.left_behind.done() and not p.open.done()",
            LimitReturnTo = ["alive"],
        });
        Assert.Equal(true, alive.Values["alive"]);

        await doomed.DisposeAsync().AsTask().WaitAsync(Hang);

        await Assert.ThrowsAsync<ObjectDisposedException>(() => open.WaitAsync(Hang));
        var after = await fixture.Executor.ExecuteAsync(new PythonRequest
        {
            Code = "import asyncio, sys\nawait asyncio.sleep(0.1)\np = sys.modules.pop('lease_probe')\ncancelled = [p.left_behind.cancelled(), p.open.cancelled()]",
            LimitReturnTo = ["cancelled"],
        });
        Assert.Equal([true, true], (List<object?>)after.Values["cancelled"]!);
    }

    [Fact]
    public async Task An_executor_asking_for_another_python_library_fails_to_start_naming_the_setting_and_both_libraries()
    {
        // Whichever of these two is not the one running.
        var otherMinor = fixture.Executor.PythonVersion!.StartsWith("3.12", StringComparison.Ordinal) ? "3.11" : "3.12";
        var library = Directory.GetFiles("/root/.pyenv/versions", $"libpython{otherMinor}.so.1.0", SearchOption.AllDirectories).First();
        await using var conflicting = new PythonExecutor(new PythonExecutorOptions { PythonLibrary = library });

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => conflicting.WaitUntilStartedAsync().WaitAsync(Hang));
        Assert.Contains("PythonExecutorOptions.PythonLibrary", error.Message);
        Assert.Contains(library, error.Message);
        Assert.Contains("already runs CPython from '", error.Message);
        var requestError = await Assert.ThrowsAsync<InvalidOperationException>(() => conflicting.ExecuteAsync("x = 1"));
        Assert.Equal(error.Message, requestError.Message);
        Assert.Equal(2L, (await fixture.Executor.ExecuteAsync("y = 2")).Values["y"]);
    }

    [Fact]
    public async Task An_executor_asking_for_another_virtual_environment_fails_to_start_naming_the_setting_and_both_values()
    {
        var folder = Directory.CreateTempSubdirectory("embeddedpython-other-venv").FullName;
        try
        {
            await File.WriteAllTextAsync(Path.Combine(folder, "pyvenv.cfg"), "home = /usr/bin\n");
            await using var conflicting = new PythonExecutor(new PythonExecutorOptions { VirtualEnvironment = folder });
            var error = await Assert.ThrowsAsync<InvalidOperationException>(() => conflicting.WaitUntilStartedAsync().WaitAsync(Hang));
            Assert.Contains($"PythonExecutorOptions.VirtualEnvironment is '{folder}'", error.Message);
            Assert.Contains("was started with none", error.Message);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task An_executor_asking_for_other_requirements_fails_to_start_naming_the_setting_and_both_values()
    {
        var folder = Directory.CreateTempSubdirectory("embeddedpython-other-requirements").FullName;
        try
        {
            var requirements = Path.Combine(folder, "requirements.txt");
            await File.WriteAllTextAsync(requirements, "six\n");
            await using var conflicting = new PythonExecutor(new PythonExecutorOptions { Requirements = requirements });
            var error = await Assert.ThrowsAsync<InvalidOperationException>(() => conflicting.WaitUntilStartedAsync().WaitAsync(Hang));
            Assert.Contains($"PythonExecutorOptions.Requirements is '{requirements}'", error.Message);
            Assert.Contains("was started with none", error.Message);
            Assert.False(Directory.Exists(Path.Combine(folder, ".venv"))); // refused before anything was installed
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task The_search_paths_of_a_later_executor_are_added_to_sys_path()
    {
        var folder = Directory.CreateTempSubdirectory("embeddedpython-lease-path").FullName;
        try
        {
            await File.WriteAllTextAsync(Path.Combine(folder, "lease_search_module.py"), "MARK = 'found'\n");
            await using var later = new PythonExecutor(new PythonExecutorOptions { SearchPaths = [folder] });
            var result = await later.ExecuteAsync("import lease_search_module, sys\nmark = lease_search_module.MARK\ndel sys.modules['lease_search_module']").WaitAsync(Hang);
            Assert.Equal("found", result.Values["mark"]);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task Python_cannot_be_shut_down_while_an_executor_is_alive()
    {
        var error = await Assert.ThrowsAsync<InvalidOperationException>(PythonExecutor.ShutdownPythonAsync);
        Assert.Contains("executor(s) are alive: dispose them first", error.Message);
        Assert.Equal(1L, (await fixture.Executor.ExecuteAsync("x = 1")).Values["x"]);
    }
}

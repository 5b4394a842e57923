using System.Diagnostics;

namespace EmbeddedPython.Tasks.Tests.Hosting;

/// <summary>Limits, failures, stopping, many tasks at once: one task's trouble stays its own.</summary>
[Collection(TaskHostCollection.Name)]
public sealed class LifecycleTests(TaskHostFixture fixture) : TaskTestBase(fixture)
{
    private static readonly PythonTaskLimits OneSecond = new(Timeout: TimeSpan.FromSeconds(1));

    [Fact]
    public async Task Time_limit_interrupts_time_sleep_and_stops_only_its_task()
    {
        var steady = await Tasks.StartAsync(Limits, "steady.py", new Dictionary<string, object?> { ["steps"] = 10 });
        var clock = Stopwatch.StartNew();
        var (sleeper, lines) = await RunAsync(Limits, "sleeper.py", limits: OneSecond);

        Assert.Equal(PythonTaskState.TimedOut, sleeper.State);
        Assert.Equal("timed out", sleeper.StateName);
        Assert.Contains("time limit of 1 s", sleeper.Reason);
        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(0.9), TimeSpan.FromSeconds(5));
        Assert.Equal(["sleeping"], lines);
        Assert.Equal(PythonTaskState.Running, Tasks.Get(steady)!.State);
        var finished = await Tasks.WaitAsync(steady).WaitAsync(Patience);
        Assert.Equal(PythonTaskState.Closed, finished.State);
        Assert.Equal("steady done", (await LinesAsync(steady))[^1]);
    }

    [Fact]
    public async Task Time_limit_interrupts_a_pure_python_loop()
    {
        var (info, _) = await RunAsync(Limits, "spinner.py", limits: OneSecond);

        Assert.Equal(PythonTaskState.TimedOut, info.State);
        Assert.InRange(info.EndedAt!.Value - info.StartedAt, TimeSpan.FromSeconds(0.9), TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task Time_limit_interrupts_an_asyncio_loop_waiting_in_select()
    {
        var (info, lines) = await RunAsync(Limits, "async_sleeper.py", limits: OneSecond);

        Assert.Equal(PythonTaskState.TimedOut, info.State);
        Assert.Equal("time limit of 1 s reached", info.Reason);
        Assert.InRange(info.EndedAt!.Value - info.StartedAt, TimeSpan.FromSeconds(0.9), TimeSpan.FromSeconds(2.5));
        Assert.Equal(["awaiting"], lines);
    }

    [Fact]
    public async Task Threads_and_asyncio_run_inside_a_task_belong_to_that_task()
    {
        var (info, lines) = await RunAsync(Limits, "threads.py", new Dictionary<string, object?> { ["n"] = 21 });

        Assert.Equal(PythonTaskState.Closed, info.State);
        Assert.Equal([$"thread sees pid {info.Pid}", "asyncio.run gave 42"], lines);
    }

    [Fact]
    public async Task Time_limit_wins_over_code_that_catches_BaseException()
    {
        var (info, lines) = await RunAsync(Limits, "stubborn.py", limits: OneSecond);

        Assert.Equal(PythonTaskState.TimedOut, info.State);
        Assert.Equal("time limit of 1 s reached", info.Reason); // its thread really ended
        Assert.Equal(["stubborn", "caught TaskStopped"], lines);
    }

    [Fact]
    public async Task A_task_stuck_in_a_native_call_is_reported_at_its_limit_and_abandoned()
    {
        var steady = await Tasks.StartAsync(Limits, "steady.py");
        var (info, lines) = await RunAsync(Limits, "stuck.py", limits: OneSecond);

        Assert.Equal(PythonTaskState.TimedOut, info.State);
        Assert.Contains("still inside a native call and was abandoned", info.Reason);
        Assert.InRange(info.EndedAt!.Value - info.StartedAt, TimeSpan.FromSeconds(2.9), TimeSpan.FromSeconds(8));
        Assert.Equal(["blocking in a native call"], lines);
        Assert.Equal(PythonTaskState.Closed, (await Tasks.WaitAsync(steady).WaitAsync(Patience)).State);
    }

    [Fact]
    public async Task Memory_limit_stops_only_its_task_with_the_reason()
    {
        var steady = await Tasks.StartAsync(Limits, "steady.py");
        var (hog, _) = await RunAsync(Limits, "hog.py", limits: new PythonTaskLimits(MaxMemoryMegabytes: 40));

        Assert.Equal(PythonTaskState.Killed, hog.State);
        Assert.Contains("memory limit of 40 MB exceeded", hog.Reason);
        var finished = await Tasks.WaitAsync(steady).WaitAsync(Patience);
        Assert.Equal(PythonTaskState.Closed, finished.State);
        // The host goes on: a new task runs as usual.
        Assert.Equal(PythonTaskState.Closed, (await RunAsync(TaskHostFixture.Application("guide"), "hello_world.py")).Info.State);
    }

    [Fact]
    public async Task Memory_held_by_a_thread_the_task_started_counts_against_its_limit()
    {
        var (info, lines) = await RunAsync(Limits, "thread_hog.py", limits: new PythonTaskLimits(MaxMemoryMegabytes: 40));

        Assert.Equal(PythonTaskState.Killed, info.State);
        Assert.Contains("memory limit of 40 MB exceeded", info.Reason);
        Assert.Equal(["hogging in a thread"], lines);
    }

    [Fact]
    public async Task Stopping_a_task_stops_the_threads_it_started()
    {
        var (info, _) = await RunAsync(Limits, "thread_spinner.py", limits: OneSecond);

        Assert.Equal(PythonTaskState.TimedOut, info.State);
        Assert.Equal("time limit of 1 s reached", info.Reason); // the main thread's join ended: the worker ended
    }

    [Fact]
    public async Task A_task_that_crashes_leaves_its_siblings_running()
    {
        var steady = await Tasks.StartAsync(Limits, "steady.py");
        var (crash, lines) = await RunAsync(Limits, "crash.py");

        Assert.Equal(PythonTaskState.Failed, crash.State);
        Assert.Equal("ValueError: the crash the test expects", crash.Reason);
        Assert.Equal("about to crash", lines[0]);
        Assert.Contains(lines, line => line.Contains("crash.py\", line 2", StringComparison.Ordinal));
        Assert.Equal("ValueError: the crash the test expects", lines[^1]);
        Assert.Equal(PythonTaskState.Running, Tasks.Get(steady)!.State);
        Assert.Equal(PythonTaskState.Closed, (await Tasks.WaitAsync(steady).WaitAsync(Patience)).State);
    }

    [Fact]
    public async Task Sys_exit_with_a_code_fails_the_task_with_that_code()
    {
        var (info, lines) = await RunAsync(Limits, "exit3.py");

        Assert.Equal(PythonTaskState.Failed, info.State);
        Assert.Equal("exit code 3", info.Reason);
        Assert.Equal(["exiting with 3"], lines);
    }

    [Fact]
    public async Task Sys_exit_zero_closes_and_sys_exit_with_a_message_fails_with_it()
    {
        var (zero, _) = await RunAsync(Limits, "exit3.py", new Dictionary<string, object?> { ["code"] = 0 });
        var (message, lines) = await RunAsync(Limits, "exit3.py", new Dictionary<string, object?> { ["code"] = "no input" });

        Assert.Equal(PythonTaskState.Closed, zero.State);
        Assert.Null(zero.Reason);
        Assert.Equal(PythonTaskState.Failed, message.State);
        Assert.Equal("exit code 1: no input", message.Reason);
        Assert.Equal(["exiting with no input", "no input"], lines);
    }

    [Fact]
    public async Task Stop_kills_a_running_task()
    {
        var pid = await Tasks.StartAsync(Limits, "sleeper.py");
        await foreach (var _ in Tasks.ReadOutputAsync(pid))
            break; // it is sleeping now

        Assert.True(await Tasks.StopAsync(pid));
        var info = await Tasks.WaitAsync(pid).WaitAsync(Patience);
        Assert.Equal(PythonTaskState.Killed, info.State);
        Assert.Equal("stopped by the host", info.Reason);
        Assert.False(await Tasks.StopAsync(pid));
    }

    [Fact]
    public async Task Output_streams_while_the_task_runs()
    {
        var pid = await Tasks.StartAsync(Limits, "steady.py", new Dictionary<string, object?> { ["steps"] = 3 });
        var seenWhileRunning = new List<PythonTaskState>();
        var lines = new List<string>();
        await foreach (var line in Tasks.ReadOutputAsync(pid))
        {
            lines.Add(line.Text);
            seenWhileRunning.Add(Tasks.Get(pid)!.State);
        }

        Assert.Equal(["step 0", "step 1", "step 2", "steady done"], lines);
        Assert.Equal(PythonTaskState.Running, seenWhileRunning[0]);
    }

    [Fact]
    public async Task Two_hundred_tasks_started_at_once_all_finish_with_their_own_output()
    {
        var starts = Enumerable.Range(0, 200)
            .Select(n => Tasks.StartAsync(Limits, "counter.py", new Dictionary<string, object?> { ["n"] = n }))
            .ToArray();
        var pids = await Task.WhenAll(starts);
        var ended = await Task.WhenAll(pids.Select(pid => Tasks.WaitAsync(pid))).WaitAsync(Patience);

        Assert.All(ended, info => Assert.Equal(PythonTaskState.Closed, info.State));
        for (var n = 0; n < pids.Length; n++)
            Assert.Equal([$"task {n}: {pids[n]} sum={n * (n + 1) / 2}"], await LinesAsync(pids[n]));
    }

    [Fact]
    public async Task Unknown_and_non_executable_scripts_are_refused_with_a_clear_error()
    {
        var unknown = await Assert.ThrowsAsync<ArgumentException>(() => Tasks.StartAsync(Guide, "no_such_script.py"));
        Assert.Contains("'no_such_script.py' does not exist", unknown.Message);
        var notExecutable = await Assert.ThrowsAsync<ArgumentException>(() => Tasks.StartAsync(Guide, "module1.py"));
        Assert.Contains("'module1.py'", notExecutable.Message);
        Assert.Contains("not executable", notExecutable.Message);
        var outside = await Assert.ThrowsAsync<ArgumentException>(() => Tasks.StartAsync(Guide, "../other/main.py"));
        Assert.Contains("not a relative script path inside", outside.Message);
        var noApplication = await Assert.ThrowsAsync<ArgumentException>(() => Tasks.StartAsync(Path.Combine(Guide, "package1"), "helper.py"));
        Assert.Contains("application.json", noApplication.Message);
    }

    [Fact]
    public async Task Run_am_script_of_an_unknown_or_non_executable_script_raises_in_the_parent()
    {
        var (info, lines) = await RunAsync(Guide, "test_bad_child.py");

        Assert.Equal(PythonTaskState.Closed, info.State);
        Assert.Equal(3, lines.Count);
        Assert.Contains("'module1.py'", lines[0]);
        Assert.Contains("is not executable", lines[0]);
        Assert.Contains("'no_such_script.py' does not exist", lines[1]);
        Assert.Contains("not a relative script path", lines[2]);
        Assert.DoesNotContain(Tasks.List(), t => t.ParentPid == info.Pid);
    }

    [Fact]
    public async Task Listing_shows_every_task_with_its_state()
    {
        var pid = await Tasks.StartAsync(Limits, "sleeper.py");
        Assert.Equal(PythonTaskState.Running, Tasks.List().Single(t => t.Pid == pid).State);
        await Tasks.StopAsync(pid);
        await Tasks.WaitAsync(pid).WaitAsync(Patience);

        Assert.Equal(PythonTaskState.Killed, Tasks.List().Single(t => t.Pid == pid).State);
        Assert.Null(Tasks.Get(Guid.NewGuid()));
    }
}

namespace EmbeddedPython.Tests.Protection;

/// <summary>Python code cannot end or stop the host process: each call is refused and the host (this test
/// process) goes on serving. With AllowProcessExit the call goes through (checked in a process of its own).</summary>
[Collection(PythonCollection.Name)]
public sealed class ProcessExitTests(PythonFixture fixture)
{
    private readonly IPythonExecutor _python = fixture.Executor;

    public static TheoryData<string, string> EndingCalls => new()
    {
        { "import os\nos._exit(1)", "os._exit(1)" },
        { "import posix\nposix._exit(3)", "os._exit(3)" },
        { "import os\nos.abort()", "os.abort()" },
        { "import os, signal\nos.kill(os.getpid(), signal.SIGKILL)", "os.kill(" },
        { "import os, signal\nos.kill(os.getpid(), signal.SIGTERM)", "os.kill(" },
        { "import os, signal\nos.kill(0, signal.SIGTERM)", "os.kill(0, SIGTERM)" },
        // -1 reaches every process we may signal; SIGCONT, so that a failure of the guard harms nothing.
        { "import os, signal\nos.kill(-1, signal.SIGCONT)", "os.kill(-1, SIGCONT)" },
        { "import os, signal\nos.kill(-os.getpgid(0), signal.SIGTERM)", "os.kill(-" },
        { "import os, signal, threading\nos.kill(threading.get_native_id(), signal.SIGTERM)", "os.kill(" },
        { "import os, signal\nos.killpg(os.getpgid(0), signal.SIGTERM)", "os.killpg(" },
        { "import os, signal\nos.killpg(0, signal.SIGINT)", "os.killpg(0, SIGINT)" },
        { "import signal, threading\nsignal.pthread_kill(threading.get_ident(), signal.SIGTERM)", "signal.pthread_kill(" },
        { "import signal\nsignal.raise_signal(signal.SIGTERM)", "signal.raise_signal(SIGTERM)" },
        { "import signal\nsignal.raise_signal(signal.SIGINT)", "signal.raise_signal(SIGINT)" },
        { "import signal\nsignal.signal(signal.SIGUSR2, signal.SIG_DFL)\nsignal.raise_signal(signal.SIGUSR2)", "signal.raise_signal(SIGUSR2)" },
        { "import signal\nsignal.signal(signal.SIGALRM, signal.SIG_DFL)\nsignal.alarm(1)", "signal.alarm(1)" },
        { "import signal\nsignal.signal(signal.SIGALRM, signal.SIG_DFL)\nsignal.setitimer(signal.ITIMER_REAL, 0.5)", "signal.setitimer(" },
        { "import faulthandler\nfaulthandler._sigsegv()", "faulthandler._sigsegv()" },
    };

    [Theory]
    [MemberData(nameof(EndingCalls))]
    public async Task A_call_that_would_end_the_host_is_refused_naming_the_call_and_the_option(string code, string call)
    {
        var error = await Assert.ThrowsAsync<PythonException>(() => _python.ExecuteAsync(new PythonRequest { Code = code, Timeout = TimeSpan.FromSeconds(10) }));
        Assert.Equal("PermissionError", error.PythonType);
        Assert.Contains(call, error.Message);
        Assert.Contains("PythonExecutorOptions.AllowProcessExit", error.Message);
        await Task.Delay(100); // a signal that got through anyway would have ended the process by now
        var next = await _python.ExecuteAsync(new PythonRequest { Code = "import os\npid = os.getpid()", Timeout = TimeSpan.FromSeconds(10) });
        Assert.Equal((long)Environment.ProcessId, next.Values["pid"]);
    }

    [Fact]
    public async Task Child_processes_may_still_be_signalled()
    {
        var result = await _python.ExecuteAsync(new PythonRequest
        {
            Code = "import os, signal, subprocess\nchild = subprocess.Popen(['sleep', '30'])\nos.kill(child.pid, signal.SIGTERM)\ncode = child.wait(timeout=10)",
            Timeout = TimeSpan.FromSeconds(20),
        });
        Assert.Equal(-15L, result.Values["code"]);
    }

    [Fact]
    public async Task Signals_the_code_handles_itself_may_be_sent_and_probing_with_signal_0_works()
    {
        var result = await _python.ExecuteAsync(
            "import os, signal\ngot = []\nold = signal.signal(signal.SIGUSR1, lambda s, f: got.append(s))\nsignal.pthread_sigmask(signal.SIG_UNBLOCK, [signal.SIGUSR1])\n"
            + "signal.raise_signal(signal.SIGUSR1)\nos.kill(os.getpid(), 0)\nsignal.signal(signal.SIGUSR1, old)\nhandled = len(got)");
        Assert.Equal(1L, result.Values["handled"]);
    }

    [Fact]
    public async Task A_child_made_by_fork_may_exit()
    {
        var result = await _python.ExecuteAsync(new PythonRequest
        {
            Code = "import os, warnings\nwarnings.simplefilter('ignore')\npid = os.fork()\nif pid == 0:\n    os._exit(7)\nstatus = os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]) if hasattr(os, 'waitstatus_to_exitcode') else os.waitpid(pid, 0)[1] >> 8",
            Timeout = TimeSpan.FromSeconds(20),
        });
        Assert.Equal(7L, result.Values["status"]);
    }

    [Fact]
    public async Task With_AllowProcessExit_os_exit_ends_the_process_with_its_code()
    {
        var (exitCode, output) = await ChildProcess.RunAsync("process-exit allow");
        Assert.True(exitCode == 7, $"exit code {exitCode}: {output}");
        Assert.DoesNotContain("survived", output);
    }

    [Fact]
    public async Task Without_AllowProcessExit_a_process_of_its_own_survives_os_exit_too()
    {
        var (exitCode, output) = await ChildProcess.RunAsync("process-exit refuse");
        Assert.True(exitCode == 0, $"exit code {exitCode}: {output}");
        Assert.Contains("survived PermissionError", output);
    }
}

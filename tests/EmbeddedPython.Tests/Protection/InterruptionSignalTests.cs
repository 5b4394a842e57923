using System.Diagnostics;

namespace EmbeddedPython.Tests.Protection;

/// <summary>Whatever a request does to signals or tracing, the next request's time limit still interrupts it.</summary>
[Collection(PythonCollection.Name)]
public sealed class InterruptionSignalTests(PythonFixture fixture)
{
    private readonly IPythonExecutor _python = fixture.Executor;

    private const string HostSignal = "(signal.SIGRTMAX - 3)";

    public static TheoryData<string, string> Tricks => new()
    {
        { "every signal ignored", "import signal\nrefused = []\nfor s in range(1, signal.NSIG):\n    try:\n        signal.signal(s, signal.SIG_IGN)\n    except (OSError, ValueError, RuntimeError):\n        refused.append(s)" },
        { "_signal.signal", $"import signal, _signal\ntry:\n    _signal.signal({HostSignal}, _signal.SIG_IGN)\nexcept PermissionError:\n    pass" },
        { "a fresh _signal module", $"import sys, signal\ndel sys.modules['_signal']\nimport _signal\n_signal.signal({HostSignal}, _signal.SIG_IGN)" },
        { "the signal blocked", $"import signal\nsignal.pthread_sigmask(signal.SIG_BLOCK, [{HostSignal}])" },
        { "the signal blocked through a fresh _signal", $"import sys\ndel sys.modules['_signal']\nimport _signal\n_signal.pthread_sigmask(_signal.SIG_BLOCK, [{HostSignal}])" },
        { "every signal blocked", "import signal\nsignal.pthread_sigmask(signal.SIG_SETMASK, signal.valid_signals())" },
        { "siginterrupt", $"import signal\ntry:\n    signal.siginterrupt({HostSignal}, False)\nexcept PermissionError:\n    pass" },
        { "setitimer", "import signal\nsignal.signal(signal.SIGALRM, lambda *a: None)\nsignal.setitimer(signal.ITIMER_REAL, 0.01, 0.01)\nsignal.setitimer(signal.ITIMER_REAL, 0)" },
        { "a huge switch interval", "import sys\nsys.setswitchinterval(1000)" },
        { "settrace(None)", "import sys\nsys.settrace(None)" },
        { "threading.settrace", "import threading\nthreading.settrace(lambda *a: None)\nthreading.settrace(None)" },
    };

    [Theory]
    [MemberData(nameof(Tricks))]
    public async Task After_the_trick_a_loop_is_interrupted_at_its_limit_and_the_next_request_runs(string trick, string code)
    {
        try
        {
            await _python.ExecuteAsync(new PythonRequest { Code = code, Timeout = TimeSpan.FromSeconds(10) });
        }
        catch (PythonException)
        {
            // a trick that was refused is fine too: what matters is the next request
        }
        var watch = Stopwatch.StartNew();
        await Assert.ThrowsAsync<PythonTimeoutException>(() => _python.ExecuteAsync(new PythonRequest { Code = "while True: pass", Timeout = TimeSpan.FromMilliseconds(300) }));
        var next = await _python.ExecuteAsync(new PythonRequest { Code = "import time\nt = time.time()", Timeout = TimeSpan.FromSeconds(10) });
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"{trick}: the loop and the next request took {watch.Elapsed}");
        Assert.IsType<double>(next.Values["t"]);
        // The loop itself was stopped: a sleep is interrupted at its limit too.
        var sleep = Stopwatch.StartNew();
        await Assert.ThrowsAsync<PythonTimeoutException>(() => _python.ExecuteAsync(new PythonRequest { Code = "import time\ntime.sleep(30)", Timeout = TimeSpan.FromMilliseconds(300) }));
        Assert.True(sleep.Elapsed < TimeSpan.FromSeconds(5), $"{trick}: the sleep ran {sleep.Elapsed}");
    }

    [Theory]
    [InlineData("signal.signal(signal.SIGRTMAX - 3, signal.SIG_IGN)", "SIGRTMAX-3")]
    [InlineData("signal.signal(signal.SIGRTMAX - 3, lambda *a: None)", "SIGRTMAX-3")]
    [InlineData("signal.siginterrupt(signal.SIGRTMAX - 3, False)", "SIGRTMAX-3")]
    [InlineData("signal.signal(signal.SIGTERM, signal.SIG_IGN)", "SIGTERM")]
    [InlineData("signal.signal(signal.SIGSEGV, signal.SIG_DFL)", "SIGSEGV")]
    public async Task Taking_a_signal_of_the_host_is_refused_with_an_error_naming_it(string call, string signalName)
    {
        var error = await Assert.ThrowsAsync<PythonException>(() => _python.ExecuteAsync($"import signal\n{call}"));
        Assert.Equal("PermissionError", error.PythonType);
        Assert.Contains(signalName, error.Message);
        Assert.Contains("refused", error.Message);
        var ok = await _python.ExecuteAsync("x = 1");
        Assert.Equal(1L, ok.Values["x"]);
    }

    [Fact]
    public async Task Code_may_still_handle_and_block_signals_the_host_does_not_use()
    {
        var result = await _python.ExecuteAsync(
            "import signal\ngot = []\nold = signal.signal(signal.SIGUSR1, lambda s, f: got.append(s))\nsignal.pthread_sigmask(signal.SIG_UNBLOCK, [signal.SIGUSR1])\nsignal.raise_signal(signal.SIGUSR1)\n"
            + "blocked = signal.pthread_sigmask(signal.SIG_BLOCK, [signal.SIGUSR2, signal.SIGRTMAX - 3])\n"
            + "now = sorted(int(s) for s in signal.pthread_sigmask(signal.SIG_UNBLOCK, [signal.SIGUSR2]))\n"
            + "host_blocked = (signal.SIGRTMAX - 3) in now\nusr2_blocked = int(signal.SIGUSR2) in now\nsignal.signal(signal.SIGUSR1, old)\nhandled = len(got)");
        Assert.Equal(1L, result.Values["handled"]);
        Assert.Equal(true, result.Values["usr2_blocked"]);
        Assert.Equal(false, result.Values["host_blocked"]);
    }

    [Fact]
    public async Task Switching_tracing_off_while_interrupted_does_not_stop_the_interruption()
    {
        var watch = Stopwatch.StartNew();
        await Assert.ThrowsAsync<PythonTimeoutException>(() => _python.ExecuteAsync(new PythonRequest
        {
            Code = "import sys, threading, time\nwhile True:\n    try:\n        time.sleep(1)\n    except BaseException:\n        sys.settrace(None)\n"
                + "        getattr(threading, 'settrace_all_threads', threading.settrace)(None)",
            Timeout = TimeSpan.FromMilliseconds(300),
        }));
        await _python.ExecuteAsync(new PythonRequest { Code = "x = 1", Timeout = TimeSpan.FromSeconds(10) });
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"took {watch.Elapsed}");
    }

    [Fact]
    public async Task A_thread_holding_the_gil_under_a_huge_switch_interval_does_not_delay_the_interruption()
    {
        var watch = Stopwatch.StartNew();
        await Assert.ThrowsAsync<PythonTimeoutException>(() => _python.ExecuteAsync(new PythonRequest
        {
            Code = "import sys, threading, time\nsys.setswitchinterval(1000)\ndef spin():\n    end = time.time() + 4\n    while time.time() < end:\n        pass\n"
                + "threading.Thread(target=spin).start()\ntime.sleep(30)",
            Timeout = TimeSpan.FromMilliseconds(300),
        }));
        var next = await _python.ExecuteAsync(new PythonRequest { Code = "import sys\ninterval = sys.getswitchinterval()", Timeout = TimeSpan.FromSeconds(10) });
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(3), $"took {watch.Elapsed}");
        Assert.True((double)next.Values["interval"]! <= 0.05);
        await Task.Delay(TimeSpan.FromSeconds(4)); // let the spinning thread end before other tests run
    }
}

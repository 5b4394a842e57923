using System.Diagnostics.CodeAnalysis;
using EmbeddedPython.CPython;
using EmbeddedPython.Locating;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace EmbeddedPython.Execution;

// Executors are leases on the interpreters of the process: CPython cannot be re-initialised reliably, so the
// first executor starts the main interpreter and it stays up until the process exits or ShutdownPythonAsync.
// An executor with Interpreters = N leases the main interpreter and the first N - 1 sub-interpreters, which
// are started by the first executor that asks for them and end when no executor uses them any more.
internal sealed partial class Interpreter
{
    private static readonly Lock s_gate = new();
    private static Interpreter? s_process;
    private static readonly List<Interpreter> s_subs = [];   // under s_gate; those in use are always a prefix
    private static bool s_subsRan;                           // a sub-interpreter ran in this process
    private static int s_leaseNumbers;
    private static bool s_shutDown;

    private readonly List<ExecutorLease> _leases = [];    // alive (not released), under s_gate
    private ExecutorLease[] _serving = [];                 // attached; read and replaced on the interpreter thread only
    private int _nextLease;                                // round robin over _serving

    /// <summary>New leases, one on each interpreter the executor uses (the main one first), started on first
    /// use. A start that failed (no Python found, say) is retried by the next executor, so that corrected
    /// options can still succeed.</summary>
    public static ExecutorLease[] Acquire(PythonExecutorOptions options, ILoggerFactory loggerFactory)
    {
        lock (s_gate)
        {
            if (s_shutDown)
                throw new InvalidOperationException(
                    "Python was shut down in this process (PythonExecutor.ShutdownPythonAsync), and CPython cannot be initialised again.");
            if (s_process is null || s_process.StartupError is not null)
            {
                s_process = new Interpreter(options, loggerFactory);
                s_subs.Clear();
            }
            var main = s_process;
            for (var i = 0; i < options.Interpreters - 1; i++)
            {
                if (i == s_subs.Count)
                    s_subs.Add(new Interpreter(main._options, loggerFactory, i + 1, main));
                else if (s_subs[i].StartupError is not null)
                    s_subs[i] = new Interpreter(main._options, loggerFactory, i + 1, main);
            }
            var leases = new ExecutorLease[options.Interpreters];
            for (var i = 0; i < leases.Length; i++)
            {
                var interpreter = i == 0 ? main : s_subs[i - 1];
                var lease = leases[i] = new ExecutorLease(interpreter, ++s_leaseNumbers, options, loggerFactory);
                interpreter._leases.Add(lease);
                interpreter.Post(() => interpreter.Attach(lease));
            }
            return leases;
        }
    }

    /// <summary>Ends the sub-interpreters, then finalises CPython, when no lease is alive; see
    /// <see cref="PythonExecutor.ShutdownPythonAsync"/>.</summary>
    public static async Task ShutdownProcessAsync(TimeSpan bound)
    {
        Interpreter? interpreter;
        Interpreter[] subs;
        lock (s_gate)
        {
            interpreter = s_process;
            // Every executor leases the main interpreter: its leases count the executors alive.
            if (interpreter is not null && interpreter._leases.Count > 0)
                throw new InvalidOperationException(
                    $"Python cannot be shut down while {interpreter._leases.Count} executor(s) are alive: dispose them first.");
            s_shutDown = true;
            subs = [.. s_subs];
        }
        var deadline = System.Diagnostics.Stopwatch.GetTimestamp() + (long)(bound.TotalSeconds * System.Diagnostics.Stopwatch.Frequency);
        // CPython 3.12 cannot finalise while a sub-interpreter lives: they end first, each on its own thread.
        await Task.WhenAll(subs.Where(sub => !sub.IsStopped).Select(sub => sub.ShutdownAsync(bound))).ConfigureAwait(false);
        if (interpreter is null || interpreter.IsStopped)
            return;
        if (subs.Any(sub => !sub.IsStopped))
        {
            LogShutdownTimedOut(interpreter._logger, bound); // finalising now would end the process
            return;
        }
        interpreter._skipFinalize = Volatile.Read(ref s_subsRan) && interpreter.PythonVersion?.StartsWith("3.12.", StringComparison.Ordinal) == true;
        var left = System.Diagnostics.Stopwatch.GetElapsedTime(System.Diagnostics.Stopwatch.GetTimestamp(), deadline);
        await interpreter.ShutdownAsync(left > TimeSpan.Zero ? left : TimeSpan.Zero).ConfigureAwait(false);
    }

    /// <summary>Ends the sub-interpreters no executor leases any more (each holds a thread and its own copy of
    /// every module it imported), on their own threads, within <paramref name="bound"/>.</summary>
    public static async Task EndUnusedSubsAsync(TimeSpan bound)
    {
        var unused = new List<Interpreter>();
        lock (s_gate)
        {
            // Every executor uses the first N - 1: the unused ones are the last.
            while (s_subs.Count > 0 && s_subs[^1]._leases.Count == 0)
            {
                unused.Add(s_subs[^1]);
                s_subs.RemoveAt(s_subs.Count - 1);
            }
        }
        if (unused.Count > 0)
            await Task.WhenAll(unused.Where(sub => !sub.IsStopped).Select(sub => sub.ShutdownAsync(bound))).ConfigureAwait(false);
    }

    /// <summary>On the interpreter thread, once Python runs: serves the lease, or fails it when its options
    /// cannot share this interpreter.</summary>
    private void Attach(ExecutorLease lease)
    {
        if (lease.IsClosing)
            return; // released before it was served
        if (Conflict(lease.Options) is { } conflict)
        {
            lease.Fail(conflict);
            return;
        }
        try
        {
            ExtendSysPath(lease.Options.SearchPaths, []);
        }
        catch (PythonException e)
        {
            lease.Fail(e);
            return;
        }
        _serving = [.. _serving, lease];
        _logger = lease.Logger;
        _outputLogger = lease.OutputLogger;
        lease.MarkStarted();
    }

    /// <summary>The setting of <paramref name="options"/> that cannot share the running CPython, if any. Unset
    /// settings take what runs; set ones must name the same library, virtual environment and requirements.</summary>
    private InvalidOperationException? Conflict(PythonExecutorOptions options)
    {
        if (!string.IsNullOrEmpty(options.PythonLibrary) && options.PythonLibrary != _options.PythonLibrary)
        {
            string library;
            try
            {
                library = PythonLocator.Locate(new PythonExecutorOptions { PythonLibrary = options.PythonLibrary }).Library;
            }
            catch (DllNotFoundException e)
            {
                return new InvalidOperationException(e.Message, e);
            }
            if (!SameFile(library, _installation.Library))
                return new InvalidOperationException(
                    $"PythonExecutorOptions.PythonLibrary is '{library}', but this process already runs CPython from "
                    + $"'{_installation.Library}'. One CPython serves every executor of a process and cannot be "
                    + "replaced while it runs: leave PythonLibrary unset, or set it to the library that runs.");
        }
        if (options.AllowProcessExit != _options.AllowProcessExit)
            return new InvalidOperationException(
                $"PythonExecutorOptions.AllowProcessExit is {options.AllowProcessExit}, but the CPython this process already runs "
                + $"was started with {_options.AllowProcessExit}: the guards against ending the process are installed once, for every executor.");
        return StartedWith("VirtualEnvironment", options.VirtualEnvironment, _options.VirtualEnvironment)
            ?? StartedWith("Requirements", options.Requirements, _options.Requirements);
    }

    /// <summary>A setting chosen when CPython started: a later executor may leave it unset or repeat it.</summary>
    private static InvalidOperationException? StartedWith(string setting, string? requested, string? running)
    {
        if (string.IsNullOrEmpty(requested) || (!string.IsNullOrEmpty(running) && SameFolder(requested, running)))
            return null;
        return new InvalidOperationException(
            $"PythonExecutorOptions.{setting} is '{requested}', but the CPython this process already runs was started with "
            + $"{(string.IsNullOrEmpty(running) ? "none" : $"'{running}'")}. One CPython serves every executor of a process "
            + $"and is prepared when it starts: leave {setting} unset, or set it to the one that runs.");
    }

    private static bool SameFile(string a, string b) => string.Equals(Canonical(a), Canonical(b), StringComparison.Ordinal);

    /// <summary>The same path, a trailing separator aside (also right for files).</summary>
    private static bool SameFolder(string a, string b) =>
        string.Equals(Canonical(a).TrimEnd(Path.DirectorySeparatorChar), Canonical(b).TrimEnd(Path.DirectorySeparatorChar), StringComparison.Ordinal);

    private static string Canonical(string path)
    {
        var full = Path.GetFullPath(path);
        try
        {
            return File.ResolveLinkTarget(full, returnFinalTarget: true)?.FullName ?? full;
        }
        catch (IOException)
        {
            return full;
        }
    }

    /// <summary>Ends a lease: its queued requests fail at once, its running and open requests are interrupted
    /// and fail with <see cref="ObjectDisposedException"/>, then, on the interpreter thread, its asyncio tasks
    /// are cancelled and its code cache dropped. Completes when that is done, or after <paramref name="bound"/>
    /// if its code will not stop. Other leases keep being served.</summary>
    public async Task ReleaseAsync(ExecutorLease lease, TimeSpan bound)
    {
        lease.Close(); // a lease that failed to start is closed already, and released all the same
        lock (s_gate)
            _leases.Remove(lease);
        if (_running is { } running && running.Lease == lease)
            EndOnRelease(running);
        foreach (var state in _open.Values)
        {
            if (state.Lease == lease)
                EndOnRelease(state);
        }
        if (IsStopped)
        {
            lease.MarkReleased();
            return;
        }
        Post(() => Detach(lease));
        await Task.WhenAny(lease.Released, Task.Delay(bound)).ConfigureAwait(false);
        if (!lease.IsReleased)
            LogReleaseTimedOut(lease.Logger, bound);
    }

    private void EndOnRelease(RequestState state)
    {
        _interruption.Interrupt(state, InterruptReason.Shutdown);
        state.TryFail(new ObjectDisposedException(nameof(PythonExecutor), "The executor was disposed while the request ran."));
    }

    /// <summary>On the interpreter thread: forgets a released lease and what Python holds for it.</summary>
    private unsafe void Detach(ExecutorLease lease)
    {
        _serving = Array.FindAll(_serving, l => l != lease);
        _nextLease = 0;
        if (_serving.Length > 0)
        {
            _logger = _serving[^1].Logger;
            _outputLogger = _serving[^1].OutputLogger;
        }
        else
        {
            // The last host may dispose its logger factory next; the interpreter stays up, quietly.
            _logger = NullLogger.Instance;
            _outputLogger = NullLogger.Instance;
        }
        foreach (var state in _open.Values)
        {
            if (state.Lease == lease)
                CancelTasks(state);
        }
        using var first = PyObject.Steal(Py.PyLong_FromLongLong(lease.FirstId));
        using var last = PyObject.Steal(Py.PyLong_FromLongLong(lease.LastId));
        using (_runtime.Call("end_requests", first.Handle, last.Handle)) { } // tasks left behind by its finished requests too
        _loopHasWork = true; // the cancelled tasks run their cancellation
        lease.Cache.Clear();
        lease.Handles?.ReleaseAll();
        lease.MarkReleased();
    }

    /// <summary>The next queued request, taking the attached leases' queues in turn.</summary>
    private bool TryTakeQueued([MaybeNullWhen(false)] out RequestState state)
    {
        var leases = _serving;
        if (leases.Length == 1)
            return leases[0].Queue.Reader.TryRead(out state);
        for (var i = 0; i < leases.Length; i++)
        {
            _nextLease = (_nextLease + 1) % leases.Length;
            if (leases[_nextLease].Queue.Reader.TryRead(out state))
                return true;
        }
        state = null;
        return false;
    }

    private long _queued; // work items queued on this interpreter's leases

    /// <summary>A work item was queued on one of this interpreter's leases (1) or taken off (-1).</summary>
    public void QueueChanged(int delta) => Interlocked.Add(ref _queued, delta);

    /// <summary>Work waiting for or held by this interpreter, over every executor (read from any thread, a
    /// snapshot): what dispatch to the least loaded interpreter compares.</summary>
    public long Load => Volatile.Read(ref _queued) + (_runningRequest is null ? 0 : 1);

    /// <summary>The queue length of every interpreter, tagged with its name (the metric's observations).</summary>
    public static IEnumerable<System.Diagnostics.Metrics.Measurement<long>> QueueLengths()
    {
        Interpreter[] all;
        lock (s_gate)
            all = s_process is null ? [] : [s_process, .. s_subs];
        return all.Select(interpreter => new System.Diagnostics.Metrics.Measurement<long>(
            Volatile.Read(ref interpreter._queued), new KeyValuePair<string, object?>(Diagnostics.Telemetry.InterpreterTag, interpreter.Name)));
    }

    private bool AnyQueued()
    {
        foreach (var lease in _serving)
        {
            if (lease.Queue.Reader.Count > 0)
                return true;
        }
        return false;
    }

    /// <summary>Python could not be started: every lease fails with the reason, and so does what is queued on it.</summary>
    private void FailLeases(Exception error)
    {
        foreach (var lease in AliveLeases())
            lease.Fail(error);
    }

    /// <summary>The thread stops: every lease takes no more requests, and those queued fail.</summary>
    private void CloseLeases()
    {
        foreach (var lease in AliveLeases())
            lease.Close();
    }

    private ExecutorLease[] AliveLeases()
    {
        lock (s_gate)
            return [.. _leases];
    }

    [LoggerMessage(8, LogLevel.Warning, "The executor's code did not stop within {Bound} of its disposal; its requests have failed, and the interpreter serves other executors once that code returns")]
    private static partial void LogReleaseTimedOut(ILogger logger, TimeSpan bound);
}

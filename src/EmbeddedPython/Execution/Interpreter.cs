using System.Collections.Concurrent;
using System.Diagnostics;
using System.Threading.Channels;
using EmbeddedPython.CPython;
using EmbeddedPython.Diagnostics;
using EmbeddedPython.Locating;
using Microsoft.Extensions.Logging;

namespace EmbeddedPython.Execution;

/// <summary>
/// The interpreter thread: the one thread of the process that initialises CPython and runs every request,
/// FIFO from each executor's queue, the queues of several executors (leases, see Interpreter.Leases.cs) in
/// turn. Between requests it runs the asyncio loop while the loop has work, and otherwise parks with the
/// GIL released (so Python threads started by user code run). Continuations of callers never run here:
/// results are delivered through completion sources that continue asynchronously.
/// </summary>
internal sealed partial class Interpreter : IInterpreterHost
{
    private readonly PythonExecutorOptions _options; // of the first executor: they choose the Python to load
    private ILogger _logger;                          // of the executor attached last (its host is alive)
    private ILogger _outputLogger;
    private readonly ConcurrentQueue<Action> _control = new();
    private readonly ManualResetEventSlim _wake = new(false, spinCount: 100);
    private readonly ConcurrentDictionary<long, RequestState> _open = new();
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Thread _thread;
    private readonly Interruption _interruption;

    private RequestState? _running;      // the request whose code runs synchronously right now
    private int _inLoop;                 // 1 while the thread is inside the asyncio loop (wake it through the pipe)
    private volatile bool _loopHasWork;
    private volatile bool _closing;
    private int _wakePipe = -1;
    private PythonRuntime _runtime = null!;
    private PythonInstallation _installation = null!;

    /// <summary>Created by the first executor of the process (<see cref="Acquire"/>).</summary>
    private Interpreter(PythonExecutorOptions options, ILoggerFactory loggerFactory)
    {
        _options = options;
        _logger = loggerFactory.CreateLogger("EmbeddedPython.Interpreter");
        _outputLogger = loggerFactory.CreateLogger("EmbeddedPython.Output");
        _interruption = new Interruption(this);
        // A background thread: a process that never disposes the executor still exits.
        _thread = new Thread(Run, maxStackSize: 16 * 1024 * 1024) { IsBackground = true, Name = "EmbeddedPython interpreter" };
        _thread.Start();
    }

    /// <summary>Completes when Python is initialised, or fails with the reason it could not be.</summary>
    public Task Ready => _ready.Task;

    public string? PythonVersion { get; private set; }
    public Exception? StartupError => _ready.Task.Exception?.InnerException;
    public bool IsStopped => _stopped.Task.IsCompleted;

    /// <summary>The request running synchronously and for how long (health checks look for stuck code).</summary>
    public (RequestState? Request, long StartTimestamp) Current => (_running, _running?.StartTimestamp ?? 0);

    /// <summary>Runs <paramref name="action"/> on the interpreter thread before the next request.</summary>
    public void Post(Action action)
    {
        _control.Enqueue(action);
        WakeThread();
    }

    public unsafe void WakeThread()
    {
        _wake.Set();
        Interlocked.MemoryBarrier();
        if (Volatile.Read(ref _inLoop) == 1 && _wakePipe >= 0)
        {
            byte one = 1;
            Libc.write(_wakePipe, &one, 1);
        }
    }

    // ---- the thread ----

    private void Run()
    {
        try
        {
            Start();
        }
        catch (Exception e)
        {
            LogStartFailed(_logger, e);
            _ready.TrySetException(e);
            FailLeases(e);
            _stopped.TrySetResult();
            return;
        }
        _ready.TrySetResult();
        try
        {
            Serve();
        }
        catch (Exception e)
        {
            LogInterpreterCrashed(_logger, e);
        }
        finally
        {
            Stop();
            _stopped.TrySetResult();
        }
    }

    private unsafe void Start()
    {
        var installation = _installation = Environments.RequirementsInstaller.Locate(_options, _logger);
        if (installation.Home is not null)
            Libc.setenv("PYTHONHOME", installation.Home, 1);
        var library = LibPython.Open(installation.Library);
        Py.Bind(library);
        if (Py.Py_IsInitialized() != 0)
            throw new InvalidOperationException("CPython is already initialised in this process by something other than EmbeddedPython.");
        // No Python signal handlers (Ctrl+C stays with .NET); this thread becomes Python's main thread,
        // which is what lets a signal interrupt time.sleep and blocking waits.
        Py.Py_InitializeEx(0);
        PythonVersion = System.Runtime.InteropServices.Marshal.PtrToStringUTF8(Py.Py_GetVersion());
        Callbacks.Host = this;
        Callbacks.InstallNativeModule();
        PutStdlibOnSysPath();
        _runtime = PythonRuntime.Load();
        ExtendSysPath(_options.SearchPaths, installation.SitePackages);
        using var signalNumber = PyObject.Steal(Py.PyLong_FromLongLong(_interruption.Signal));
        using var pipe = _runtime.Call("install", signalNumber.Handle);
        _wakePipe = (int)(long)(Marshalling.FromPython.TryConvert(pipe.Handle, out var fd) ? fd! : -1L);
        _interruption.Attach(Libc.pthread_self());
        LogStarted(_logger, PythonVersion ?? "?", installation.Library);
    }

    /// <summary>The shipped python-stdlib folder (embedded_python) goes first on sys.path.</summary>
    private static unsafe void PutStdlibOnSysPath()
    {
        using var stdlib = PyObject.Steal(Py.FromString(Path.Combine(AppContext.BaseDirectory, "python-stdlib")));
        using var sys = Py.Import("sys");
        using var path = sys.IsNull ? default : Py.GetAttr(sys.Handle, "path");
        if (path.IsNull || Py.PyList_Insert(path.Handle, 0, stdlib.Handle) != 0)
            throw PythonErrors.Take("putting python-stdlib on sys.path");
    }

    /// <summary><see cref="PythonExecutorOptions.SearchPaths"/> (those not there yet) after python-stdlib, and a
    /// virtual environment's site-packages through site.addsitedir (so its .pth files count).</summary>
    private void ExtendSysPath(IEnumerable<string> searchPaths, IEnumerable<string> sitePackages)
    {
        using var paths = Marshalling.ToPython.Convert(searchPaths.Select(Path.GetFullPath).ToList(), "SearchPaths");
        using var sites = Marshalling.ToPython.Convert(sitePackages.ToList(), "site-packages");
        using var _ = _runtime.Call("extend_sys_path", paths.Handle, sites.Handle);
    }

    private void Serve()
    {
        while (true)
        {
            RunControl();
            if (TryTakeQueued(out var state))
            {
                Telemetry.QueueChanged(-1);
                if (_closing || state.Lease.IsClosing)
                    state.TryFail(new ObjectDisposedException(nameof(PythonExecutor)));
                else
                    RunGuarded(state);
                continue;
            }
            if (_closing)
                return;
            if (_loopHasWork)
            {
                RunLoop();
                continue;
            }
            Park();
        }
    }

    /// <summary>A fault of the host itself fails that one request; the thread goes on serving.</summary>
    private void RunGuarded(RequestState state)
    {
        try
        {
            RunRequest(state);
        }
        catch (Exception e)
        {
            _running = null;
            LogControlFailed(_logger, e);
            state.TryFail(new InvalidOperationException($"EmbeddedPython failed to run the request: {e.Message}", e));
        }
    }

    private void RunControl()
    {
        while (_control.TryDequeue(out var action))
        {
            try
            {
                action();
            }
            catch (Exception e)
            {
                LogControlFailed(_logger, e);
            }
        }
    }

    private bool HasWaitingWork => AnyQueued() || !_control.IsEmpty || _closing;

    private unsafe void Park()
    {
        _wake.Reset();
        if (HasWaitingWork || _loopHasWork)
            return;
        var threadState = Py.PyEval_SaveThread();
        try
        {
            _wake.Wait();
        }
        finally
        {
            Py.PyEval_RestoreThread(threadState);
        }
    }

    private void RunLoop()
    {
        Volatile.Write(ref _inLoop, 1);
        Interlocked.MemoryBarrier();
        try
        {
            if (HasWaitingWork)
                return;
            using var more = _runtime.Call("run_loop");
            _loopHasWork = more.Handle == Py.True;
        }
        catch (PythonException e)
        {
            LogLoopFailed(_logger, e);
        }
        finally
        {
            Volatile.Write(ref _inLoop, 0);
        }
    }

    private unsafe void Stop()
    {
        CloseLeases();
        foreach (var state in _open.Values)
            state.TryFail(new ObjectDisposedException(nameof(PythonExecutor)));
        try
        {
            using var _ = _runtime.Call("shutdown");
        }
        catch (PythonException e)
        {
            LogLoopFailed(_logger, e);
        }
        Py.Py_FinalizeEx();
    }

    /// <summary>Stops taking requests, fails what is queued and open, and lets the thread finalise Python.
    /// Completes when Python is finalised, or after <paramref name="bound"/> if code will not stop.</summary>
    private async Task ShutdownAsync(TimeSpan bound)
    {
        _closing = true;
        if (_running is { } running)
            _interruption.Interrupt(running, reason: 3);
        foreach (var state in _open.Values)
            _interruption.Interrupt(state, reason: 3);
        WakeThread();
        await Task.WhenAny(_stopped.Task, Task.Delay(bound)).ConfigureAwait(false);
        if (!_stopped.Task.IsCompleted)
            LogShutdownTimedOut(_logger, bound);
    }

    // ---- what the native module reports (IInterpreterHost) ----

    /// <summary>Why the code of <paramref name="requestId"/> should stop now, or 0. Only while that code can
    /// be running: synchronously, or inside the loop (where Python also checks that a task of the request is
    /// the one executing), never while the host runs its own Python between requests.</summary>
    public int InterruptReason(long requestId)
    {
        if (_running is { } running && running.Id == requestId)
            return running.InterruptReason;
        return Volatile.Read(ref _inLoop) == 1 && _open.TryGetValue(requestId, out var state) ? state.InterruptReason : 0;
    }

    public void LoopTouched(bool wake)
    {
        _loopHasWork = true;
        if (wake)
            _wake.Set();
    }

    public bool IsOpen(long requestId) => _open.ContainsKey(requestId) || _running?.Id == requestId;

    /// <summary>Live output of a request that asked for it (<see cref="PythonRequest.OutputReceived"/>).</summary>
    public void Output(long requestId, string text)
    {
        var state = _running is { } running && running.Id == requestId ? running : _open.GetValueOrDefault(requestId);
        try
        {
            state?.Request.OutputReceived?.Invoke(text);
        }
        catch (Exception e)
        {
            LogControlFailed(_logger, e);
        }
    }

    public void LogOutput(string text)
    {
        if (text.Length > 0)
            LogUnattributedOutput(_outputLogger, text.TrimEnd('\n'));
    }

    [LoggerMessage(1, LogLevel.Information, "Python {Version} started from {Library}")]
    private static partial void LogStarted(ILogger logger, string version, string library);

    [LoggerMessage(2, LogLevel.Error, "Python could not be started")]
    private static partial void LogStartFailed(ILogger logger, Exception error);

    [LoggerMessage(3, LogLevel.Critical, "The interpreter thread stopped unexpectedly")]
    private static partial void LogInterpreterCrashed(ILogger logger, Exception error);

    [LoggerMessage(4, LogLevel.Error, "A host action on the interpreter thread failed")]
    private static partial void LogControlFailed(ILogger logger, Exception error);

    [LoggerMessage(5, LogLevel.Error, "The asyncio loop of the interpreter thread failed")]
    private static partial void LogLoopFailed(ILogger logger, Exception error);

    [LoggerMessage(6, LogLevel.Warning, "Python did not stop within {Bound}; the interpreter thread is left to finish on its own")]
    private static partial void LogShutdownTimedOut(ILogger logger, TimeSpan bound);

    [LoggerMessage(7, LogLevel.Information, "{Output}")]
    private static partial void LogUnattributedOutput(ILogger logger, string output);
}

// Interruption's view of the thread.
internal sealed partial class Interpreter
{
    /// <summary>Whether the request's code may still be executing (synchronously, or as an asyncio task).</summary>
    public bool IsRunning(RequestState state) => _running == state || (state.Task != 0 && _open.ContainsKey(state.Id));

    /// <summary>Interrupts a request (time limit 1, cancellation 2, shutdown 3); safe from any thread.</summary>
    public void Interrupt(RequestState state, int reason) => _interruption.Interrupt(state, reason);

    /// <summary>On the interpreter thread: stops an open request's tasks and forgets it.</summary>
    public unsafe void CancelTasks(RequestState state)
    {
        if (!_open.ContainsKey(state.Id))
            return;
        using var requestId = PyObject.Steal(Py.PyLong_FromLongLong(state.Id));
        Retire(state, requestId.Handle);
    }
}

using System.Collections.Concurrent;
using System.Diagnostics;
using System.Threading.Channels;
using EmbeddedPython.CPython;
using EmbeddedPython.Diagnostics;
using EmbeddedPython.Locating;
using EmbeddedPython.Memory;
using EmbeddedPython.Policy;
using EmbeddedPython.Protection;
using Microsoft.Extensions.Logging;

namespace EmbeddedPython.Execution;

/// <summary>
/// One interpreter and its thread: the main interpreter's thread initialises CPython; each sub-interpreter
/// (<see cref="PythonExecutorOptions.Interpreters"/>, Interpreter.Leases.cs) has a thread of its own and its own
/// GIL. The thread runs every request sent to its interpreter, FIFO from each executor's queue, the queues of several executors (leases, see Interpreter.Leases.cs) in
/// turn. Between requests it runs the asyncio loop while the loop has work, and otherwise parks with the
/// GIL released (so Python threads started by user code run). Continuations of callers never run here:
/// results are delivered through completion sources that continue asynchronously.
/// <para>The path of one request, file by file: <c>PythonExecutor</c> queues it on its lease
/// (<c>ExecutorLease</c>, <c>Interpreter.Leases.cs</c>); <see cref="Serve"/> (here) takes it; its code runs in
/// <c>Interpreter.Requests.cs</c> (a call in <c>Calls/Interpreter.Calls.cs</c>) under its policy
/// (<c>Interpreter.Policy.cs</c>) and limits (<c>DeadlineWatch</c>, <c>Interruption</c>,
/// <c>Interpreter.Interrupts.cs</c>); its outcome goes back through <c>RequestState</c>. Around that:
/// <c>Interpreter.Startup.cs</c>, <c>Interpreter.Loop.cs</c> (between items) and <c>Interpreter.Shutdown.cs</c>.</para>
/// </summary>
internal sealed partial class Interpreter : IInterpreterHost
{
    private readonly PythonExecutorOptions _options; // of the first executor: they choose the Python to load
    private ILogger _logger;                          // of the executor attached last (its host is alive)
    private ILogger _outputLogger;
    private readonly ConcurrentQueue<Action> _control = new();
    private readonly ManualResetEventSlim _wake = new(false, spinCount: 100);
    private readonly SpinBudget _idleSpin;            // from PythonExecutorOptions.IdleSpin of the first executor
    private int _callerSpinning;                      // 1 while a caller spins for its outcome (SpinningValueSource)
    private long _wokenAt;                            // when the wake flag was last set (SpinBudget learns from it)
    private readonly ConcurrentDictionary<long, RequestState> _open = new();
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Thread _thread;
    private readonly Interruption _interruption;

    private RequestState? _runningRequest;
    private RequestState? _finishing;    // the work item whose output is being taken (TakeOutput)
    private int _inLoop;                 // 1 while the thread is inside the asyncio loop (wake it through the pipe)
    private volatile bool _loopHasWork;
    private volatile bool _closing;
    private int _wakePipe = -1;
    private PythonRuntime _runtime = null!;
    private PythonInstallation _installation = null!;
    private readonly Interpreter? _main;                // set for a sub-interpreter: it starts once the main one runs
    private HostProtection _protection = null!;
    private nint _interpreterState;
    private nint _threadState;           // a sub-interpreter's own (Py_EndInterpreter takes it)
    private nuint _pthread;

    // The interpreter whose thread this is; other threads find theirs by their interpreter state.
    [ThreadStatic] private static Interpreter? t_current;
    private static readonly ConcurrentDictionary<nint, Interpreter> s_byState = new();

    /// <summary>The request whose code runs synchronously right now. Setting it charges the thread's Python
    /// allocations to that request's memory account (none when it has no limit, or when cleared).</summary>
    private RequestState? _running
    {
        get => _runningRequest;
        set
        {
            if (value is null && _strayInterrupt)
                ClearStrayInterrupt();
            _runningRequest = value;
            AllocatorHook.Charge(value?.Memory);
        }
    }

    /// <summary>The main interpreter is created by the first executor of the process, a sub-interpreter by the
    /// first executor that asks for that many (<see cref="Acquire"/>).</summary>
    private Interpreter(PythonExecutorOptions options, ILoggerFactory loggerFactory, int index = 0, Interpreter? main = null)
    {
        _options = options;
        Index = index;
        Name = index == 0 ? "main" : $"sub-{index}";
        _main = main;
        _logger = loggerFactory.CreateLogger("EmbeddedPython.Interpreter");
        _outputLogger = loggerFactory.CreateLogger("EmbeddedPython.Output");
        _interruption = new Interruption(this);
        _idleSpin = new SpinBudget(options);
        // A background thread: a process that never disposes the executor still exits.
        var name = index == 0 ? "EmbeddedPython interpreter" : $"EmbeddedPython interpreter {index}";
        _thread = new Thread(Run, maxStackSize: 16 * 1024 * 1024) { IsBackground = true, Name = name };
        _thread.Start();
    }

    /// <summary>0 for the main interpreter, 1… for sub-interpreters.</summary>
    public int Index { get; }

    public bool IsMain => Index == 0;

    /// <summary>"main", or "sub-1", "sub-2", …: the <c>interpreter</c> tag of telemetry.</summary>
    public string Name { get; }

    /// <summary>The interpreter of the calling thread, which holds a GIL: the interpreter thread's own, or,
    /// on a Python thread user code started, the one its thread state belongs to.</summary>
    public static unsafe Interpreter Running => t_current ?? s_byState[Py.PyInterpreterState_Get()];

    /// <summary>As <see cref="Running"/>, or null on a thread of an interpreter not (yet) registered.</summary>
    public static unsafe Interpreter? RunningOrNull => t_current ?? s_byState.GetValueOrDefault(Py.PyInterpreterState_Get());

    public PythonRuntime Runtime => _runtime;

    public HostProtection Protection => _protection;

    public bool IsOwnThread => Environment.CurrentManagedThreadId == _thread.ManagedThreadId;

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

    // ---- the thread ----

    private void Run()
    {
        t_current = this;
        try
        {
            if (IsMain)
                Start();
            else
                StartSub();
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

    private void Serve()
    {
        while (true)
        {
            RunControl();
            if (TryTakeQueued(out var state))
            {
                QueueChanged(-1);
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
    private unsafe void RunGuarded(RequestState state)
    {
        Calls.HandleTable.Current = state.Lease.Handles; // values that become handles belong to the item's executor
        try
        {
            if (state is Calls.CallState call)
                RunCall(call);
            else
                RunRequest(state);
        }
        catch (Exception e)
        {
            _running = null;
            state.Memory?.Release();
            if (state.PolicyEnforced)
            {
                using var requestId = PyObject.Steal(Py.PyLong_FromLongLong(state.Id));
                ReleasePolicy(state, requestId.Handle);
            }
            LogControlFailed(_logger, e);
            state.TryFail(new InvalidOperationException($"EmbeddedPython failed to run the request: {e.Message}", e));
        }
        finally
        {
            Calls.HandleTable.Current = null;
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

    // ---- what the native module reports (IInterpreterHost) ----

    public bool IsOpen(long requestId) => _open.ContainsKey(requestId) || _running?.Id == requestId;

    /// <summary>Live output of a request that asked for it (<see cref="PythonRequest.OutputReceived"/>).</summary>
    public void Output(long requestId, string text)
    {
        var state = _running is { } running && running.Id == requestId ? running
            : _finishing is { } finishing && finishing.Id == requestId ? finishing
            : _open.GetValueOrDefault(requestId);
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

    [LoggerMessage(9, LogLevel.Information, "Sub-interpreter {Name} started")]
    private static partial void LogSubStarted(ILogger logger, string name);

    [LoggerMessage(7, LogLevel.Information, "{Output}")]
    private static partial void LogUnattributedOutput(ILogger logger, string output);
}

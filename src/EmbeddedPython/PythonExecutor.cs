using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using EmbeddedPython.Calls;
using EmbeddedPython.Diagnostics;
using EmbeddedPython.Execution;
using EmbeddedPython.Policy;
using EmbeddedPython.Scripts;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace EmbeddedPython;

/// <summary>
/// The executor: a lease on the one interpreter thread of the process, which loads CPython and serves every
/// request. Usually registered with <c>services.AddPythonExecutor()</c>; can also be created directly, and is
/// thread-safe. CPython can be initialised only once per process, so the first executor starts it and later
/// ones (another host, a host built again) share it: their requests interleave on the one thread. Each
/// executor has its own queue, code cache, time limit and scripts; disposing it ends its own requests and
/// their asyncio tasks and drops its cache, while CPython stays up for the next executor until the process
/// exits or <see cref="ShutdownPythonAsync"/>. Shared by all executors: imported modules and their state,
/// <c>sys.path</c>, and Python threads started by user code.
/// </summary>
public sealed class PythonExecutor : IPythonExecutor
{
    private static readonly TimeSpan ShutdownBound = TimeSpan.FromSeconds(5);

    private readonly PythonExecutorOptions _options;
    private readonly IScriptStore? _scripts;
    private readonly ExecutorLease _lease;      // on the main interpreter
    private readonly ExecutorLease[] _leases;   // one per interpreter used, the main one first
    private int _nextLease;                     // round robin among equally loaded interpreters
    private Task? _disposal;

    /// <summary>Takes a lease on the process's interpreter, starting its thread if this is the first executor.
    /// Python is loaded on that thread; a failure to load it, or options that cannot share the CPython already
    /// running (another <see cref="PythonExecutorOptions.PythonLibrary"/> or
    /// <see cref="PythonExecutorOptions.VirtualEnvironment"/>), is reported by <see cref="WaitUntilStartedAsync"/>
    /// and by every request.</summary>
    /// <param name="options">Settings; validated here (see <see cref="PythonExecutorOptions"/>). The first
    /// executor's choose the Python to load; <see cref="PythonExecutorOptions.SearchPaths"/> of later ones are
    /// added to <c>sys.path</c>; the rest are this executor's own.</param>
    /// <param name="loggerFactory">Where logs go; none when null.</param>
    /// <param name="scriptStore">Resolves <see cref="PythonRequest.Script"/>; by default files under <see cref="PythonExecutorOptions.ScriptDirectory"/>.</param>
    /// <exception cref="ArgumentException">The options are invalid.</exception>
    /// <exception cref="InvalidOperationException">Python was shut down in this process (<see cref="ShutdownPythonAsync"/>).</exception>
    public PythonExecutor(PythonExecutorOptions options, ILoggerFactory? loggerFactory = null, IScriptStore? scriptStore = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = PythonExecutorOptionsValidator.Check(options);
        if (failures.Count > 0)
            throw new ArgumentException("Invalid PythonExecutorOptions: " + string.Join(" ", failures), nameof(options));
        _options = options;
        _scripts = scriptStore ?? (options.ScriptDirectory is { } directory ? new DirectoryScriptStore(directory) : null);
        _leases = Interpreter.Acquire(options, loggerFactory ?? NullLoggerFactory.Instance);
        _lease = _leases[0];
        _deadlines = new DeadlineWatch(TimedOut);
        foreach (var lease in _leases)
        {
            lease.Handles = new HandleTable(this, lease);
            if (_leases.Length > 1) // one interpreter that cannot start fails the executor, not a share of its requests
                _ = lease.Started.ContinueWith(started => FailAll(started.Exception!.InnerException!), CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
        }
        _started = _leases.Length == 1 ? _lease.Started : Task.WhenAll(_leases.Select(lease => lease.Started));
        Marshalling.TypedConversion.HandleFactory ??= HandleTable.Wrap; // PythonObject inside typed values (List<PythonObject>)
    }

    private readonly Task _started;

    private void FailAll(Exception error)
    {
        foreach (var lease in _leases)
            lease.Fail(error);
    }

    /// <summary>The handles this executor keeps alive on the main interpreter (for tests of their release).</summary>
    internal HandleTable Handles => _lease.Handles!;

    private readonly DeadlineWatch _deadlines;

    private static void TimedOut(RequestState state)
    {
        state.Lease.Interpreter.Interrupt(state, Execution.InterruptReason.TimeLimit);
        if (state.TryFail(state.InterruptionError))
            Telemetry.RequestTimedOut(state.Lease.Interpreter.Name);
    }

    /// <summary>Completes when CPython is loaded and initialised and serves this executor; fails with the
    /// reason it could not (for a missing Python, the message lists every place that was tried; for options
    /// that cannot share the CPython already running, it names the setting and both values).</summary>
    public Task WaitUntilStartedAsync(CancellationToken cancellationToken = default) => _started.WaitAsync(cancellationToken);

    /// <summary>The version text of the running CPython (e.g. "3.11.7 (main, …)"), once started.</summary>
    public string? PythonVersion => _lease.Interpreter.PythonVersion;

    internal Interpreter Interpreter => _lease.Interpreter;

    internal ExecutorLease Lease => _lease;

    /// <summary>The leases of every interpreter the executor uses, the main one first.</summary>
    internal IReadOnlyList<ExecutorLease> Leases => _leases;

    /// <summary>Where a work item goes: the only interpreter; the one its affinity pins ("main": the main
    /// interpreter), or that of a handle it uses; else an idle one, or the least loaded (queued and running
    /// work, then round robin).</summary>
    private ExecutorLease Choose(string? affinity, PythonObject? handle = null, IEnumerable<object?>? values = null)
    {
        var leases = _leases;
        if (leases.Length == 1)
            return leases[0];
        if (affinity is not null)
            return affinity == MainAffinity ? leases[0] : leases[(int)(StableHash(affinity) % (uint)leases.Length)];
        if ((handle ?? FirstHandle(values)) is { } used)
            return used.Table.Lease;
        // An idle interpreter first, the main one before the others: a thread that just served is still awake,
        // and waking a parked one costs more than a tiny request. Otherwise the least loaded, ties in turn.
        foreach (var lease in leases)
        {
            if (lease.Interpreter.Load == 0)
                return lease;
        }
        var start = (int)((uint)Interlocked.Increment(ref _nextLease) % (uint)leases.Length);
        var best = leases[start];
        var least = best.Interpreter.Load;
        for (var i = 1; i < leases.Length; i++)
        {
            var lease = leases[(start + i) % leases.Length];
            var load = lease.Interpreter.Load;
            if (load < least)
                (best, least) = (lease, load);
        }
        return best;
    }

    /// <summary>The affinity key of the main interpreter.</summary>
    private const string MainAffinity = "main";

    /// <summary>FNV-1a over the key's characters: the same interpreter for a key in every process.</summary>
    private static uint StableHash(string key)
    {
        var hash = 2166136261u;
        foreach (var c in key)
            hash = (hash ^ c) * 16777619u;
        return hash;
    }

    private static PythonObject? FirstHandle(IEnumerable<object?>? values)
    {
        if (values is null)
            return null;
        foreach (var value in values)
        {
            if (value is PythonObject handle)
                return handle;
        }
        return null;
    }

    /// <inheritdoc />
    public Task<PythonResult> ExecuteAsync(PythonRequest request, CancellationToken cancellationToken = default)
    {
        if (Refused<PythonResult>(Validate(request), cancellationToken) is { } refused)
            return refused.AsTask();
        if (request.Script is not null)
            return ExecuteScriptAsync(request, cancellationToken);
        return Submit(NewState(request, null, streaming: false), cancellationToken);
    }

    private async Task<PythonResult> ExecuteScriptAsync(PythonRequest request, CancellationToken cancellationToken)
    {
        var script = await ResolveScriptAsync(request, cancellationToken).ConfigureAwait(false);
        return await Submit(NewState(request, script, streaming: false), cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public ValueTask<PythonResult> ExecuteValueAsync(PythonRequest request, CancellationToken cancellationToken = default)
    {
        if (Refused<PythonResult>(Validate(request), cancellationToken) is { } refused)
            return refused;
        if (request.Script is not null)
            return new(ExecuteScriptAsync(request, cancellationToken)); // the script is read asynchronously anyway
        var lease = LeaseFor(request);
        var completion = NewValueSource<PythonResult>(lease);
        var state = NewState(request, null, streaming: false, completion, lease);
        Arm(state, cancellationToken);
        var enqueued = lease.EnqueueAsync(state, cancellationToken);
        return enqueued.IsCompletedSuccessfully ? completion.Task : AfterEnqueueAsync(enqueued, completion);
    }

    /// <summary>The outcome of work that is not queued: invalid, or its token cancelled already.</summary>
    private static ValueTask<T>? Refused<T>(ArgumentException? invalid, CancellationToken cancellationToken) =>
        invalid is not null ? ValueTask.FromException<T>(invalid)
        : cancellationToken.IsCancellationRequested ? ValueTask.FromCanceled<T>(cancellationToken)
        : null;

    private ExecutorLease LeaseFor(PythonRequest request) =>
        _leases.Length == 1 ? _lease : Choose(request.Affinity, values: request.PresetValues?.Values);

    private RequestState NewState(PythonRequest request, PythonScript? script, bool streaming, SpinningValueSource<PythonResult>? valueCompletion = null, ExecutorLease? lease = null)
    {
        lease ??= LeaseFor(request);
        return new(lease.NextId(), request, script, streaming, valueCompletion) { Lease = lease, Policy = request.Policy ?? _options.DefaultPolicy };
    }

    private static SpinningValueSource<T> NewValueSource<T>(ExecutorLease lease) => new(lease.Interpreter, lease.CallerSpin);

    private Task<PythonResult> Submit(RequestState state, CancellationToken cancellationToken)
    {
        Arm(state, cancellationToken);
        var enqueued = state.Lease.EnqueueAsync(state, cancellationToken);
        return enqueued.IsCompletedSuccessfully ? state.Completion!.Task : AfterEnqueueAsync(enqueued, state);
    }

    private static async Task<PythonResult> AfterEnqueueAsync(ValueTask enqueued, RequestState state)
    {
        await enqueued.ConfigureAwait(false);
        return await state.Completion!.Task.ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<PythonMessage> StreamAsync(PythonRequest request, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        if (Validate(request) is { } invalid)
            throw invalid;
        cancellationToken.ThrowIfCancellationRequested();
        var script = request.Script is null ? null : await ResolveScriptAsync(request, cancellationToken).ConfigureAwait(false);
        var state = NewState(request, script, streaming: true);
        Arm(state, cancellationToken);
        try
        {
            await state.Lease.EnqueueAsync(state, cancellationToken).ConfigureAwait(false);
            await foreach (var message in state.Stream!.Reader.ReadAllAsync(CancellationToken.None).ConfigureAwait(false))
                yield return message;
        }
        finally
        {
            if (!state.IsFinished)
            {
                // The consumer stopped reading early: stop the code that feeds it.
                state.Lease.Interpreter.Interrupt(state, Execution.InterruptReason.Cancelled);
                state.TryFail(new OperationCanceledException("The stream's reader stopped."));
            }
        }
    }

    /// <inheritdoc />
    public Task<T> CallAsync<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors | DynamicallyAccessedMemberTypes.PublicProperties)] T>(PythonCall call, CancellationToken cancellationToken = default)
    {
        if (Validate(call) is { } invalid)
            return Task.FromException<T>(invalid);
        return CallAsync<T>(new CallTarget(call.Module, null, call.Function), CallKind.Invoke, call.Args, call.Kwargs, call.Timeout, cancellationToken, call.MemoryLimit, call.OutputReceived, call.Affinity);
    }

    /// <inheritdoc />
    public Task<PythonObject> ImportAsync(string module, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrWhiteSpace(module))
            return Task.FromException<PythonObject>(new ArgumentException("A module name is required.", nameof(module)));
        return CallAsync<PythonObject>(new CallTarget(module, null, ""), CallKind.Read, null, null, null, cancellationToken);
    }

    /// <inheritdoc />
    public ValueTask<T> CallValueAsync<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors | DynamicallyAccessedMemberTypes.PublicProperties)] T>(PythonCall call, CancellationToken cancellationToken = default)
    {
        if (Refused<T>(Validate(call), cancellationToken) is { } refused)
            return refused;
        var target = new CallTarget(call.Module, null, call.Function);
        var lease = LeaseFor(call.Affinity, target, call.Args, call.Kwargs);
        var result = NewValueSource<T>(lease);
        var enqueued = QueueCall(lease, target, CallKind.Invoke, call.Args, call.Kwargs, call.Timeout, cancellationToken, call.MemoryLimit, call.OutputReceived, result).Enqueued;
        return enqueued.IsCompletedSuccessfully ? result.Task : AfterEnqueueAsync(enqueued, result);
    }

    /// <summary>The one way a call (of the executor or of a handle) is queued, for a Task caller.</summary>
    internal Task<T> CallAsync<T>(CallTarget target, CallKind kind, IReadOnlyList<object?>? args, IReadOnlyDictionary<string, object?>? kwargs, TimeSpan? timeout, CancellationToken cancellationToken, long? memoryLimit = null, Action<string>? output = null, string? affinity = null)
    {
        if (Refused<T>(null, cancellationToken) is { } refused)
            return refused.AsTask();
        var lease = LeaseFor(affinity, target, args, kwargs);
        var (state, enqueued) = QueueCall<T>(lease, target, kind, args, kwargs, timeout, cancellationToken, memoryLimit, output, valueResult: null);
        return enqueued.IsCompletedSuccessfully ? state.Result!.Task : AfterEnqueueAsync(enqueued, state.Result!.Task);
    }

    private ExecutorLease LeaseFor(string? affinity, CallTarget target, IReadOnlyList<object?>? args, IReadOnlyDictionary<string, object?>? kwargs) =>
        _leases.Length == 1 ? _lease : Choose(affinity, target.Handle, args?.Concat(kwargs?.Values ?? []));

    private (CallState<T> State, ValueTask Enqueued) QueueCall<T>(ExecutorLease lease, CallTarget target, CallKind kind, IReadOnlyList<object?>? args, IReadOnlyDictionary<string, object?>? kwargs, TimeSpan? timeout, CancellationToken cancellationToken, long? memoryLimit, Action<string>? output, SpinningValueSource<T>? valueResult)
    {
        var state = new CallState<T>(lease.NextId(), CallSettings(timeout, output), target, kind, args, kwargs, valueResult) { Lease = lease, Policy = _options.DefaultPolicy, MemoryLimit = memoryLimit };
        Arm(state, cancellationToken);
        return (state, lease.EnqueueAsync(state, cancellationToken));
    }

    private static async Task<T> AfterEnqueueAsync<T>(ValueTask enqueued, Task<T> result)
    {
        await enqueued.ConfigureAwait(false);
        return await result.ConfigureAwait(false);
    }

    private static async ValueTask<T> AfterEnqueueAsync<T>(ValueTask enqueued, SpinningValueSource<T> result)
    {
        await enqueued.ConfigureAwait(false);
        return await result.Task.ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<T> StreamCallAsync<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors | DynamicallyAccessedMemberTypes.PublicProperties)] T>(PythonCall call, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        if (Validate(call) is { } invalid)
            throw invalid;
        cancellationToken.ThrowIfCancellationRequested();
        var target = new CallTarget(call.Module, null, call.Function);
        var lease = LeaseFor(call.Affinity, target, call.Args, call.Kwargs);
        var state = new StreamCallState<T>(lease.NextId(), CallSettings(call.Timeout, call.OutputReceived), target, call.Args, call.Kwargs) { Lease = lease, Policy = _options.DefaultPolicy, MemoryLimit = call.MemoryLimit };
        Arm(state, cancellationToken);
        try
        {
            await lease.EnqueueAsync(state, cancellationToken).ConfigureAwait(false);
            await foreach (var item in state.Items.Reader.ReadAllAsync(CancellationToken.None).ConfigureAwait(false))
                yield return item;
        }
        finally
        {
            // The consumer stopped reading early: the generator is closed at its next yield, so that its
            // finally runs (an interruption would cut that short); one that does not yield soon is interrupted.
            if (state.TryFail(new OperationCanceledException("The stream's reader stopped.")))
                _ = InterruptIfStillRunningAsync(state);
        }
    }

    private static readonly TimeSpan ClosingGrace = TimeSpan.FromSeconds(1);

    private async Task InterruptIfStillRunningAsync(RequestState state)
    {
        await Task.Delay(ClosingGrace).ConfigureAwait(false);
        if (state.Lease.Interpreter.IsRunning(state))
            state.Lease.Interpreter.Interrupt(state, Execution.InterruptReason.Cancelled);
    }

    private static readonly PythonRequest DefaultCallSettings = new();

    /// <summary>A call's per-work-item settings, in the shape the queue reads them from a request.</summary>
    private static PythonRequest CallSettings(TimeSpan? timeout, Action<string>? output = null) =>
        timeout is null && output is null ? DefaultCallSettings : new PythonRequest { Timeout = timeout, OutputReceived = output };

    private static ArgumentException? Validate(PythonCall? call)
    {
        if (call is null)
            return new ArgumentNullException(nameof(call));
        if (string.IsNullOrWhiteSpace(call.Module) || string.IsNullOrWhiteSpace(call.Function))
            return new ArgumentException("A call needs a Module and a Function.", nameof(call));
        if (call.Timeout is { } timeout && timeout <= TimeSpan.Zero && timeout != Timeout.InfiniteTimeSpan)
            return new ArgumentOutOfRangeException(nameof(call), timeout, "Timeout must be positive, or Timeout.InfiniteTimeSpan for none.");
        if (call.MemoryLimit is <= 0)
            return new ArgumentOutOfRangeException(nameof(call), call.MemoryLimit, "MemoryLimit must be a positive number of bytes, or null for the default.");
        return null;
    }

    private async ValueTask<PythonScript> ResolveScriptAsync(PythonRequest request, CancellationToken cancellationToken)
    {
        if (_scripts is null)
            throw new ArgumentException($"Script '{request.Script}' was requested, but no ScriptDirectory or IScriptStore is configured.", nameof(request));
        return await _scripts.GetAsync(request.Script!, cancellationToken).ConfigureAwait(false)
            ?? throw new ArgumentException($"No script named '{request.Script}' was found.", nameof(request));
    }

    private static ArgumentException? Validate(PythonRequest? request)
    {
        if (request is null)
            return new ArgumentNullException(nameof(request));
        if (request.Code is null && request.Name is null && request.Script is null)
            return new ArgumentException("A request needs Code, Name or Script.", nameof(request));
        if (request.Script is not null && (request.Code is not null || request.Name is not null))
            return new ArgumentException("A request names either a Script or Code/Name, not both.", nameof(request));
        if (request.Timeout is { } timeout && timeout <= TimeSpan.Zero && timeout != Timeout.InfiniteTimeSpan)
            return new ArgumentOutOfRangeException(nameof(request), timeout, "Timeout must be positive, or Timeout.InfiniteTimeSpan for none.");
        if (request.MemoryLimit is <= 0)
            return new ArgumentOutOfRangeException(nameof(request), request.MemoryLimit, "MemoryLimit must be a positive number of bytes, or null for the default.");
        if (request.Policy is { } policy)
        {
            try
            {
                PolicyRules.For(policy);
            }
            catch (ArgumentException e)
            {
                return e;
            }
        }
        return null;
    }

    /// <summary>Starts the request's clock (queue wait included), links the caller's token and remembers the
    /// caller's activity (the interpreter thread has none of its own).</summary>
    private void Arm(RequestState state, CancellationToken cancellationToken)
    {
        if (Telemetry.Source.HasListeners() && System.Diagnostics.Activity.Current is { } caller)
            state.CallerActivity = caller;
        var timeout = state.Request.Timeout ?? _options.DefaultTimeout;
        state.TimeLimit = timeout;
        if (timeout != Timeout.InfiniteTimeSpan)
        {
            state.Watch = _deadlines;
            _deadlines.Add(state, timeout);
        }
        if (cancellationToken.CanBeCanceled)
        {
            state.CallerRegistration = cancellationToken.UnsafeRegister(static (s, token) =>
            {
                var request = (RequestState)s!;
                request.Lease.Interpreter.Interrupt(request, Execution.InterruptReason.Cancelled);
                request.TryFail(new OperationCanceledException("The Python request was cancelled.", token));
            }, state);
        }
    }

    /// <summary>Ends this executor's lease: it takes no more requests; those queued, running or open fail with
    /// <see cref="ObjectDisposedException"/> (running code is interrupted), their asyncio tasks and those its
    /// finished requests left behind are cancelled, and its code cache is dropped; sub-interpreters that no
    /// executor uses any more are ended (<c>Py_EndInterpreter</c>). Returns within a bounded time (5 s) even if
    /// code refuses to stop. CPython stays up for other and later executors; see
    /// <see cref="ShutdownPythonAsync"/>.</summary>
    public ValueTask DisposeAsync()
    {
        _disposal ??= ReleaseAsync();
        return new ValueTask(_disposal);
    }

    private async Task ReleaseAsync()
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        await Task.WhenAll(_leases.Select(lease => lease.Interpreter.ReleaseAsync(lease, ShutdownBound))).ConfigureAwait(false);
        if (_leases.Length > 1)
        {
            var left = ShutdownBound - System.Diagnostics.Stopwatch.GetElapsedTime(started);
            await Interpreter.EndUnusedSubsAsync(left > TimeSpan.Zero ? left : TimeSpan.Zero).ConfigureAwait(false);
        }
        _deadlines.Dispose();
    }

    /// <summary>
    /// Finalises CPython (<c>Py_FinalizeEx</c>) on its own thread, for a process that wants Python gone before it
    /// exits; without this call CPython stays up until the process exits (its thread does not keep the process
    /// alive). Completes when Python is finalised, or after a bound (5 s) if code will not stop. After it, no
    /// executor can be created in this process: CPython cannot be initialised twice.
    /// </summary>
    /// <exception cref="InvalidOperationException">An executor is still alive: dispose every executor first.</exception>
    public static Task ShutdownPythonAsync() => Interpreter.ShutdownProcessAsync(ShutdownBound);
}

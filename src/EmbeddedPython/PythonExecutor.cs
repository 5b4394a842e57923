using System.Runtime.CompilerServices;
using EmbeddedPython.Calls;
using EmbeddedPython.Diagnostics;
using EmbeddedPython.Execution;
using EmbeddedPython.Scripts;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace EmbeddedPython;

/// <summary>
/// The executor: starts one interpreter thread that loads CPython and serves every request from a queue.
/// Usually registered with <c>services.AddPythonExecutor()</c>; can also be created directly. CPython can be
/// initialised once per process, so there is one executor per process: share it (it is thread-safe).
/// </summary>
public sealed class PythonExecutor : IPythonExecutor
{
    private static readonly TimeSpan ShutdownBound = TimeSpan.FromSeconds(5);

    private readonly PythonExecutorOptions _options;
    private readonly IScriptStore? _scripts;
    private readonly Interpreter _interpreter;
    private long _nextId;
    private Task? _disposal;

    /// <summary>Starts the interpreter thread. Python is loaded on that thread; a failure to load it is
    /// reported by <see cref="WaitUntilStartedAsync"/> and by every request.</summary>
    /// <param name="options">Settings; validated here (see <see cref="PythonExecutorOptions"/>).</param>
    /// <param name="loggerFactory">Where logs go; none when null.</param>
    /// <param name="scriptStore">Resolves <see cref="PythonRequest.Script"/>; by default files under <see cref="PythonExecutorOptions.ScriptDirectory"/>.</param>
    /// <exception cref="ArgumentException">The options are invalid.</exception>
    /// <exception cref="InvalidOperationException">Another executor already initialised CPython in this process.</exception>
    public PythonExecutor(PythonExecutorOptions options, ILoggerFactory? loggerFactory = null, IScriptStore? scriptStore = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = PythonExecutorOptionsValidator.Check(options);
        if (failures.Count > 0)
            throw new ArgumentException("Invalid PythonExecutorOptions: " + string.Join(" ", failures), nameof(options));
        _options = options;
        _scripts = scriptStore ?? (options.ScriptDirectory is { } directory ? new DirectoryScriptStore(directory) : null);
        _interpreter = new Interpreter(options, loggerFactory ?? NullLoggerFactory.Instance);
        _deadlines = new DeadlineWatch(TimedOut);
        _handles = new HandleTable(this, _interpreter);
    }

    private readonly HandleTable _handles;

    /// <summary>The handles this executor keeps alive (for tests of their release).</summary>
    internal HandleTable Handles => _handles;

    private readonly DeadlineWatch _deadlines;

    private void TimedOut(RequestState state)
    {
        _interpreter.Interrupt(state, reason: 1);
        if (state.TryFail(state.InterruptionError))
            Telemetry.RequestTimedOut();
    }

    /// <summary>Completes when CPython is loaded and initialised; fails with the reason it could not be
    /// (for a missing Python, the message lists every place that was tried).</summary>
    public Task WaitUntilStartedAsync(CancellationToken cancellationToken = default) => _interpreter.Ready.WaitAsync(cancellationToken);

    /// <summary>The version text of the running CPython (e.g. "3.11.7 (main, …)"), once started.</summary>
    public string? PythonVersion => _interpreter.PythonVersion;

    internal Interpreter Interpreter => _interpreter;

    /// <inheritdoc />
    public Task<PythonResult> ExecuteAsync(PythonRequest request, CancellationToken cancellationToken = default)
    {
        if (Validate(request) is { } invalid)
            return Task.FromException<PythonResult>(invalid);
        if (cancellationToken.IsCancellationRequested)
            return Task.FromCanceled<PythonResult>(cancellationToken);
        if (request.Script is not null)
            return ExecuteScriptAsync(request, cancellationToken);
        return Submit(new RequestState(Interlocked.Increment(ref _nextId), request, null, streaming: false) { Handles = _handles }, cancellationToken);
    }

    private async Task<PythonResult> ExecuteScriptAsync(PythonRequest request, CancellationToken cancellationToken)
    {
        var script = await ResolveScriptAsync(request, cancellationToken).ConfigureAwait(false);
        return await Submit(new RequestState(Interlocked.Increment(ref _nextId), request, script, streaming: false) { Handles = _handles }, cancellationToken).ConfigureAwait(false);
    }

    private Task<PythonResult> Submit(RequestState state, CancellationToken cancellationToken)
    {
        Arm(state, cancellationToken);
        var enqueued = _interpreter.EnqueueAsync(state, cancellationToken);
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
        var state = new RequestState(Interlocked.Increment(ref _nextId), request, script, streaming: true) { Handles = _handles };
        Arm(state, cancellationToken);
        try
        {
            await _interpreter.EnqueueAsync(state, cancellationToken).ConfigureAwait(false);
            await foreach (var message in state.Stream!.Reader.ReadAllAsync(CancellationToken.None).ConfigureAwait(false))
                yield return message;
        }
        finally
        {
            if (!state.IsFinished)
            {
                // The consumer stopped reading early: stop the code that feeds it.
                _interpreter.Interrupt(state, reason: 2);
                state.TryFail(new OperationCanceledException("The stream's reader stopped."));
            }
        }
    }

    /// <inheritdoc />
    public Task<T> CallAsync<T>(PythonCall call, CancellationToken cancellationToken = default)
    {
        if (Validate(call) is { } invalid)
            return Task.FromException<T>(invalid);
        return CallAsync<T>(new CallTarget(call.Module, null, call.Function), CallKind.Invoke, call.Args, call.Kwargs, call.Timeout, cancellationToken);
    }

    /// <inheritdoc />
    public Task<PythonObject> ImportAsync(string module, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrWhiteSpace(module))
            return Task.FromException<PythonObject>(new ArgumentException("A module name is required.", nameof(module)));
        return CallAsync<PythonObject>(new CallTarget(module, null, ""), CallKind.Read, null, null, null, cancellationToken);
    }

    /// <summary>The one way a call (of the executor or of a handle) is queued.</summary>
    internal Task<T> CallAsync<T>(CallTarget target, CallKind kind, IReadOnlyList<object?>? args, IReadOnlyDictionary<string, object?>? kwargs, TimeSpan? timeout, CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested)
            return Task.FromCanceled<T>(cancellationToken);
        var state = new CallState<T>(Interlocked.Increment(ref _nextId), CallSettings(timeout), target, kind, args, kwargs) { Handles = _handles };
        Arm(state, cancellationToken);
        var enqueued = _interpreter.EnqueueAsync(state, cancellationToken);
        return enqueued.IsCompletedSuccessfully ? state.Result.Task : AfterEnqueueAsync(enqueued, state.Result.Task);
    }

    private static async Task<T> AfterEnqueueAsync<T>(ValueTask enqueued, Task<T> result)
    {
        await enqueued.ConfigureAwait(false);
        return await result.ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<T> StreamCallAsync<T>(PythonCall call, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        if (Validate(call) is { } invalid)
            throw invalid;
        cancellationToken.ThrowIfCancellationRequested();
        var state = new StreamCallState<T>(Interlocked.Increment(ref _nextId), CallSettings(call.Timeout), new CallTarget(call.Module, null, call.Function), call.Args, call.Kwargs) { Handles = _handles };
        Arm(state, cancellationToken);
        try
        {
            await _interpreter.EnqueueAsync(state, cancellationToken).ConfigureAwait(false);
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
        if (_interpreter.IsRunning(state))
            _interpreter.Interrupt(state, reason: 2);
    }

    private static readonly PythonRequest DefaultCallSettings = new();

    /// <summary>A call's per-work-item settings, in the shape the queue reads them from a request.</summary>
    private static PythonRequest CallSettings(TimeSpan? timeout) => timeout is null ? DefaultCallSettings : new PythonRequest { Timeout = timeout };

    private static ArgumentException? Validate(PythonCall? call)
    {
        if (call is null)
            return new ArgumentNullException(nameof(call));
        if (string.IsNullOrWhiteSpace(call.Module) || string.IsNullOrWhiteSpace(call.Function))
            return new ArgumentException("A call needs a Module and a Function.", nameof(call));
        if (call.Timeout is { } timeout && timeout <= TimeSpan.Zero && timeout != Timeout.InfiniteTimeSpan)
            return new ArgumentOutOfRangeException(nameof(call), timeout, "Timeout must be positive, or Timeout.InfiniteTimeSpan for none.");
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
        return null;
    }

    /// <summary>Starts the request's clock (queue wait included), links the caller's token and remembers the
    /// caller's activity (the interpreter thread has none of its own).</summary>
    private void Arm(RequestState state, CancellationToken cancellationToken)
    {
        if (Telemetry.Source.HasListeners() && System.Diagnostics.Activity.Current is { } caller)
            state.CallerActivity = caller.Context;
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
                var (executor, request) = ((PythonExecutor, RequestState))s!;
                executor._interpreter.Interrupt(request, reason: 2);
                request.TryFail(new OperationCanceledException("The Python request was cancelled.", token));
            }, (this, state));
        }
    }

    /// <summary>Stops taking requests, fails those queued or open with <see cref="ObjectDisposedException"/>,
    /// interrupts running code and finalises Python on its own thread; returns within a bounded time
    /// (5 s) even if code refuses to stop.</summary>
    public ValueTask DisposeAsync()
    {
        _disposal ??= ShutdownAsync();
        return new ValueTask(_disposal);
    }

    private async Task ShutdownAsync()
    {
        _interpreter.Post(_handles.ReleaseAll); // before Python is finalised: the objects of this executor's handles
        await _interpreter.ShutdownAsync(ShutdownBound).ConfigureAwait(false);
        _deadlines.Dispose();
    }
}

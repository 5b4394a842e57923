using System.Runtime.CompilerServices;
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
    }

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
        return Submit(new RequestState(Interlocked.Increment(ref _nextId), request, null, streaming: false), cancellationToken);
    }

    private async Task<PythonResult> ExecuteScriptAsync(PythonRequest request, CancellationToken cancellationToken)
    {
        var script = await ResolveScriptAsync(request, cancellationToken).ConfigureAwait(false);
        return await Submit(new RequestState(Interlocked.Increment(ref _nextId), request, script, streaming: false), cancellationToken).ConfigureAwait(false);
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
        var state = new RequestState(Interlocked.Increment(ref _nextId), request, script, streaming: true);
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
        await _interpreter.ShutdownAsync(ShutdownBound).ConfigureAwait(false);
        _deadlines.Dispose();
    }
}

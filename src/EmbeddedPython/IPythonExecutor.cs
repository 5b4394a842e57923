using System.Diagnostics.CodeAnalysis;
namespace EmbeddedPython;

/// <summary>
/// Runs Python code in this process. One dedicated interpreter thread owns CPython and serves the
/// requests of every caller in order; callers await results and are never resumed on that thread.
/// </summary>
public interface IPythonExecutor : IAsyncDisposable
{
    /// <summary>
    /// Runs one request and returns its globals, its streamed messages and what it printed.
    /// </summary>
    /// <param name="request">What to run and with which values.</param>
    /// <param name="cancellationToken">Cancels the request: a queued request never runs, a running one is interrupted.</param>
    /// <exception cref="ArgumentException">The request is malformed (no code, name or script; unknown name; …).</exception>
    /// <exception cref="PythonException">The Python code raised an exception or could not be compiled.</exception>
    /// <exception cref="PythonTimeoutException">The request's time limit ran out; the code was interrupted.</exception>
    /// <exception cref="OperationCanceledException">The token was cancelled.</exception>
    /// <exception cref="ObjectDisposedException">The executor was disposed.</exception>
    Task<PythonResult> ExecuteAsync(PythonRequest request, CancellationToken cancellationToken = default);

    /// <summary>
    /// <see cref="ExecuteAsync"/> for a caller that awaits the result straight away, as a
    /// <see cref="ValueTask{TResult}"/> (awaited once, like any). In-process, awaiting it spins for the outcome
    /// for <see cref="PythonExecutorOptions.IdleSpin"/> before it yields the thread: a short request is then
    /// finished meanwhile and the caller goes on inline, without a thread-pool continuation (the fastest way to
    /// run one small request after another). The spin is at the await, so requests queued before any is awaited
    /// stay in flight together. Other executors (a remote one) return <see cref="ExecuteAsync"/>'s task.
    /// </summary>
    /// <param name="request">What to run and with which values.</param>
    /// <param name="cancellationToken">Cancels the request, as for <see cref="ExecuteAsync"/>.</param>
    ValueTask<PythonResult> ExecuteValueAsync(PythonRequest request, CancellationToken cancellationToken = default) =>
        new(ExecuteAsync(request, cancellationToken));

    /// <summary>
    /// Runs one request whose code sends its own results (<see cref="PythonRequest.CodeHandlesReturn"/> is
    /// implied) and yields them as they are sent; the last message has <see cref="PythonMessage.IsFinal"/> set.
    /// Errors are thrown from the enumeration as for <see cref="ExecuteAsync"/>.
    /// </summary>
    /// <param name="request">What to run and with which values.</param>
    /// <param name="cancellationToken">Cancels the request and interrupts its code.</param>
    IAsyncEnumerable<PythonMessage> StreamAsync(PythonRequest request, CancellationToken cancellationToken = default);

    /// <summary>
    /// Calls a Python function and converts its result to <typeparamref name="T"/> (<see cref="PythonObject"/>
    /// keeps it as a handle). The module is imported once and kept; an <c>async def</c> is awaited on the
    /// interpreter's asyncio loop, so many calls overlap. Limits, cancellation and output logging are as for
    /// <see cref="ExecuteAsync"/>.
    /// </summary>
    /// <param name="call">The module, the function (a dotted path allowed) and the arguments.</param>
    /// <param name="cancellationToken">Cancels the call: a queued call never runs, a running one is interrupted.</param>
    /// <exception cref="PythonException">The import, the attribute lookup or the function raised.</exception>
    /// <exception cref="PythonConversionException">The result does not fit <typeparamref name="T"/>.</exception>
    /// <exception cref="PythonTimeoutException">The call's time limit ran out; the code was interrupted.</exception>
    Task<T> CallAsync<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors | DynamicallyAccessedMemberTypes.PublicProperties)] T>(PythonCall call, CancellationToken cancellationToken = default);

    /// <summary>
    /// <see cref="CallAsync{T}"/> as a <see cref="ValueTask{TResult}"/> for a caller that awaits it straight away:
    /// in-process, the await spins for a short call's result as <see cref="ExecuteValueAsync"/> does.
    /// </summary>
    /// <param name="call">The module, the function (a dotted path allowed) and the arguments.</param>
    /// <param name="cancellationToken">Cancels the call, as for <see cref="CallAsync{T}"/>.</param>
    ValueTask<T> CallValueAsync<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors | DynamicallyAccessedMemberTypes.PublicProperties)] T>(PythonCall call, CancellationToken cancellationToken = default) =>
        new(CallAsync<T>(call, cancellationToken));

    /// <summary>
    /// Calls a Python function that returns a generator, an async generator or any iterable, and yields its
    /// items converted to <typeparamref name="T"/> as they come. A bounded buffer holds the Python side back
    /// when the reader is slow; leaving the enumeration early closes the generator (its <c>finally</c> runs).
    /// </summary>
    /// <param name="call">The module, the function and the arguments.</param>
    /// <param name="cancellationToken">Cancels the call and interrupts its code.</param>
    IAsyncEnumerable<T> StreamCallAsync<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors | DynamicallyAccessedMemberTypes.PublicProperties)] T>(PythonCall call, CancellationToken cancellationToken = default);

    /// <summary>Imports a module (once; later calls reuse it) and returns it as a handle.</summary>
    /// <param name="module">The module's name, e.g. <c>"pkg.mod"</c>.</param>
    /// <param name="cancellationToken">Cancels the import.</param>
    /// <exception cref="PythonException">Importing the module failed (<c>ModuleNotFoundError</c>, or the module raised).</exception>
    Task<PythonObject> ImportAsync(string module, CancellationToken cancellationToken = default);
}

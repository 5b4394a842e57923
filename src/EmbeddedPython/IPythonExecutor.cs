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
    /// Runs one request whose code sends its own results (<see cref="PythonRequest.CodeHandlesReturn"/> is
    /// implied) and yields them as they are sent; the last message has <see cref="PythonMessage.IsFinal"/> set.
    /// Errors are thrown from the enumeration as for <see cref="ExecuteAsync"/>.
    /// </summary>
    /// <param name="request">What to run and with which values.</param>
    /// <param name="cancellationToken">Cancels the request and interrupts its code.</param>
    IAsyncEnumerable<PythonMessage> StreamAsync(PythonRequest request, CancellationToken cancellationToken = default);
}

using EmbeddedPython.CPython;
using EmbeddedPython.Protection;

namespace EmbeddedPython.Execution;

// Stopping: what is queued and open fails, running code is interrupted, the loop is closed and the interpreter
// ended (a sub-interpreter) or Python finalised (the main one).
internal sealed partial class Interpreter
{
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
        if (IsMain)
        {
            HostProtection.Stop();
            if (_skipFinalize)
                LogFinalizeSkipped(_logger);
            else
                Py.Py_FinalizeEx();
            return;
        }
        var threadState = Py.PyEval_SaveThread();
        CloseReach(); // without the GIL: a thread reaching in may be waiting for it
        Py.PyEval_RestoreThread(threadState);
        Py.Py_EndInterpreter(_threadState); // joins the threads user code started in it (their callbacks still find it)
        s_byState.TryRemove(new KeyValuePair<nint, Interpreter>(_interpreterState, this));
    }

    // CPython 3.12 (3.12.1 here) frees memory of an ended isolated sub-interpreter that imported asyncio
    // again when it finalises the main one, and aborts the process ("double free"); 3.13 does not. There
    // the main interpreter stops serving but is not finalised, as in a process that never shuts it down.
    private bool _skipFinalize;

    [Microsoft.Extensions.Logging.LoggerMessage(12, Microsoft.Extensions.Logging.LogLevel.Warning, "CPython 3.12 is not finalised after sub-interpreters ran (finalising would abort the process); it stops serving and goes with the process")]
    private static partial void LogFinalizeSkipped(Microsoft.Extensions.Logging.ILogger logger);

    /// <summary>Stops taking requests, fails what is queued and open, and lets the thread finalise Python.
    /// Completes when Python is finalised, or after <paramref name="bound"/> if code will not stop.</summary>
    private async Task ShutdownAsync(TimeSpan bound)
    {
        _closing = true;
        if (_running is { } running)
            _interruption.Interrupt(running, InterruptReason.Shutdown);
        foreach (var state in _open.Values)
            _interruption.Interrupt(state, InterruptReason.Shutdown);
        WakeThread();
        await Task.WhenAny(_stopped.Task, Task.Delay(bound)).ConfigureAwait(false);
        if (!_stopped.Task.IsCompleted)
            LogShutdownTimedOut(_logger, bound);
    }
}

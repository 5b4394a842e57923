using System.Diagnostics;
using EmbeddedPython.CPython;

namespace EmbeddedPython.Execution;

// What Interruption and the native module's interrupted() see of the thread.
internal sealed partial class Interpreter
{
    /// <summary>Why the code of <paramref name="requestId"/> should stop now, or none. Only while that code can
    /// be running: synchronously, or inside the loop (where Python also checks that a task of the request is
    /// the one executing), never while the host runs its own Python between requests.</summary>
    public InterruptReason InterruptReasonOf(long requestId)
    {
        if (_running is { } running && running.Id == requestId)
            return running.InterruptReason;
        return Volatile.Read(ref _inLoop) == 1 && _open.TryGetValue(requestId, out var state) ? state.InterruptReason : InterruptReason.None;
    }

    /// <summary>Whether the request's code may still be executing (synchronously, or as an asyncio task).</summary>
    public bool IsRunning(RequestState state) => _running == state || (state.Task != 0 && _open.ContainsKey(state.Id));

    /// <summary>Interrupts a request; safe from any thread.</summary>
    public void Interrupt(RequestState state, InterruptReason reason) => _interruption.Interrupt(state, reason);

    /// <summary>On the interpreter thread: stops an open request's tasks and forgets it.</summary>
    public unsafe void CancelTasks(RequestState state)
    {
        if (!_open.ContainsKey(state.Id))
            return;
        using var requestId = PyObject.Steal(Py.PyLong_FromLongLong(state.Id));
        Retire(state, requestId.Handle);
    }
}

// A sub-interpreter gets no signals (CPython delivers them to the main interpreter's main thread only), so
// its running code is stopped by an asynchronous exception, set from another thread holding that
// interpreter's GIL through a thread state of its own, and its time.sleep is the host's, a wait that an
// interruption ends (embedded_python._runtime installs it there).
internal sealed partial class Interpreter
{
    private readonly Lock _reachGate = new();            // taken to reach in; closed (_ended) before Py_EndInterpreter
    private readonly ManualResetEventSlim _sleepWake = new(false);
    private bool _ended;
    private volatile bool _strayInterrupt;               // an async exception may still be pending on the thread

    /// <summary>From any thread: ends a host sleep of the interpreter, and raises <c>Interrupted</c> into the
    /// request's code if that code runs synchronously (the check and the raise under the interpreter's GIL, so
    /// the exception cannot land in another request's code).</summary>
    public unsafe void RaiseInto(RequestState state)
    {
        _sleepWake.Set();
        lock (_reachGate)
        {
            if (_ended || _runningRequest != state)
                return;
            var threadState = Py.PyThreadState_New(_interpreterState);
            Py.PyEval_RestoreThread(threadState);
            try
            {
                if (_runningRequest == state && state.IsInterrupted)
                {
                    _strayInterrupt = true;
                    Py.PyThreadState_SetAsyncExc(_pthread, _runtime.Attribute("Interrupted"));
                }
            }
            finally
            {
                Py.PyThreadState_Clear(threadState);
                Py.PyThreadState_DeleteCurrent();
            }
        }
    }

    /// <summary>On the interpreter thread, when synchronous code ended: an exception raised into it that it
    /// never reached is dropped, not left for the host's next Python.</summary>
    private unsafe void ClearStrayInterrupt()
    {
        _strayInterrupt = false;
        Py.PyThreadState_SetAsyncExc(_pthread, 0);
    }

    /// <summary>Before Py_EndInterpreter, GIL released: no thread reaches in any more.</summary>
    private void CloseReach()
    {
        lock (_reachGate)
            _ended = true;
    }

    /// <summary>The host's time.sleep of a sub-interpreter (GIL released meanwhile).</summary>
    public unsafe bool Sleep(double seconds, long requestId)
    {
        if (double.IsNaN(seconds) || seconds < 0)
        {
            Py.SetError(Py.PyExc_ValueError, "sleep length must be non-negative");
            return false;
        }
        var until = Stopwatch.GetTimestamp() + (long)Math.Min(seconds * Stopwatch.Frequency, long.MaxValue / 2);
        var own = IsOwnThread;
        while (true)
        {
            if (own)
                _sleepWake.Reset();
            if (own && InterruptReasonOf(requestId) != InterruptReason.None)
            {
                Py.SetError(_runtime.Attribute("Interrupted"), "interrupted during time.sleep");
                return false;
            }
            var left = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), until);
            if (left <= TimeSpan.Zero)
                return true;
            var wait = left > MaxSleepSlice ? MaxSleepSlice : left;
            var threadState = Py.PyEval_SaveThread();
            try
            {
                // Threads user code started sleep their full time: interruption is for the request's own code.
                if (own)
                    _sleepWake.Wait(wait);
                else
                    Thread.Sleep(wait);
            }
            finally
            {
                Py.PyEval_RestoreThread(threadState);
            }
        }
    }

    private static readonly TimeSpan MaxSleepSlice = TimeSpan.FromHours(1);
}

using System.Diagnostics;
using EmbeddedPython.CPython;
using EmbeddedPython.Memory;

namespace EmbeddedPython.Execution;

// Between work items: the asyncio loop the thread owns runs while it has work, and the thread spins, then parks
// (GIL released) when there is none; a wake (a posted item, the loop touched by another thread) brings it back.
// Callers spin too, for the outcome of a short request (SpinForOutcome): PythonExecutorOptions.IdleSpin.
internal sealed partial class Interpreter
{
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

    private bool HasWaitingWork => AnyQueued() || !_control.IsEmpty || _closing;

    private unsafe void Park()
    {
        _wake.Reset();
        if (HasWaitingWork || _loopHasWork)
            return;
        var threadState = Py.PyEval_SaveThread();
        try
        {
            if (!SpinUntilWoken())
                _wake.Wait();
        }
        finally
        {
            Py.PyEval_RestoreThread(threadState);
        }
    }

    /// <summary>Watches the wake flag for <see cref="PythonExecutorOptions.IdleSpin"/> (GIL released): the next
    /// request of a burst, or of a steady stream, is taken without the cost of waking a sleeping thread.
    /// True when woken meanwhile.</summary>
    private bool SpinUntilWoken()
    {
        if (_idleSpinTicks == 0)
            return false;
        var end = Stopwatch.GetTimestamp() + _idleSpinTicks;
        for (var round = 1; Stopwatch.GetTimestamp() < end; round++)
        {
            if (_wake.IsSet)
                return true;
            SpinRound(round);
        }
        return _wake.IsSet;
    }

    /// <summary>On a caller's thread, right after it queued <paramref name="state"/>: when that is the only work
    /// waiting and no other caller spins, watches <paramref name="outcome"/> for its executor's
    /// <see cref="PythonExecutorOptions.IdleSpin"/>. A short request is then finished before the caller awaits
    /// it, and the caller goes on at once instead of through a thread-pool continuation (one wake fewer each way).
    /// One spinner at most, so callers never take every core from the interpreter thread.</summary>
    public void SpinForOutcome(RequestState state, Task outcome)
    {
        var spinTicks = state.Lease.SpinTicks;
        if (spinTicks == 0 || outcome.IsCompleted || _runningRequest is { } running && running != state
            || state.Lease.Queue.Reader.Count > 1 || Interlocked.Exchange(ref _callerSpinning, 1) == 1)
            return;
        try
        {
            var end = Stopwatch.GetTimestamp() + spinTicks;
            for (var round = 1; !outcome.IsCompleted && Stopwatch.GetTimestamp() < end; round++)
                SpinRound(round);
        }
        finally
        {
            Volatile.Write(ref _callerSpinning, 0);
        }
    }

    /// <summary>Between two looks at what a spinner waits for: a few pause instructions (a fraction of a
    /// microsecond, so the change is seen at once), and now and then the core goes to whatever else is
    /// runnable on it: with more runnable threads than cores, a spinner that never yields pushes out the very
    /// thread it waits for.</summary>
    private static void SpinRound(int round)
    {
        if (round % 16 == 0)
            Thread.Yield();
        else
            Thread.SpinWait(8);
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

    public void LoopTouched(bool wake)
    {
        _loopHasWork = true;
        if (wake)
            _wake.Set();
    }

    /// <summary>A loop callback of a limited request starts (its id) or ends (0). Only inside the loop: the
    /// synchronous code of a request is charged by the host, whatever it calls.</summary>
    public void ChargeMemory(long requestId)
    {
        if (Volatile.Read(ref _inLoop) == 1)
            AllocatorHook.Charge(requestId == 0 ? null : _open.GetValueOrDefault(requestId)?.Memory);
    }
}

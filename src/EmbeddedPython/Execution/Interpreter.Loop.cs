using System.Diagnostics;
using EmbeddedPython.CPython;
using EmbeddedPython.Memory;

namespace EmbeddedPython.Execution;

// Between work items: the asyncio loop the thread owns runs while it has work, and the thread spins, then parks
// (GIL released) when there is none; a wake (a posted item, the loop touched by another thread) brings it back.
// Callers of the ValueTask methods spin too, for a short request's outcome (SpinningValueSource): IdleSpin.
internal sealed partial class Interpreter
{
    public unsafe void WakeThread()
    {
        Volatile.Write(ref _wokenAt, Stopwatch.GetTimestamp()); // before the flag: a spinner that sees it reads this
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
            var spinStart = Stopwatch.GetTimestamp();
            if (!SpinUntilWoken())
            {
                _wake.Wait();
                _idleSpin.CameAfter(spinStart);
            }
        }
        finally
        {
            Py.PyEval_RestoreThread(threadState);
        }
    }

    /// <summary>Watches the wake flag for up to <see cref="PythonExecutorOptions.IdleSpin"/> (GIL released): the
    /// next request of a burst, or of a steady stream, is taken without the cost of waking a sleeping thread.
    /// True when woken meanwhile.</summary>
    private bool SpinUntilWoken() => _idleSpin.SpinUntil(this, static interpreter => interpreter._wake.IsSet ? Volatile.Read(ref interpreter._wokenAt) : 0);

    /// <summary>One caller of the interpreter spins for its outcome at a time (<see cref="SpinningValueSource{T}"/>),
    /// so callers never take every core from the interpreter thread.</summary>
    public bool TryStartCallerSpin() => Interlocked.Exchange(ref _callerSpinning, 1) == 0;

    public void EndCallerSpin() => Volatile.Write(ref _callerSpinning, 0);

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
        {
            Volatile.Write(ref _wokenAt, Stopwatch.GetTimestamp());
            _wake.Set();
        }
    }

    /// <summary>A loop callback of a limited request starts (its id) or ends (0). Only inside the loop: the
    /// synchronous code of a request is charged by the host, whatever it calls.</summary>
    public void ChargeMemory(long requestId)
    {
        if (Volatile.Read(ref _inLoop) == 1)
            AllocatorHook.Charge(requestId == 0 ? null : _open.GetValueOrDefault(requestId)?.Memory);
    }
}

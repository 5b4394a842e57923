using System.Diagnostics;
using System.Threading.Tasks.Sources;

namespace EmbeddedPython.Execution;

/// <summary>
/// The outcome of a work item queued by a <see cref="ValueTask{TResult}"/> method
/// (<see cref="PythonExecutor.ExecuteValueAsync"/>, <see cref="PythonExecutor.CallValueAsync{T}"/>). The first
/// look at a pending outcome (an <c>await</c> asks <c>IsCompleted</c> at once) spins for it for
/// <see cref="PythonExecutorOptions.IdleSpin"/>: a short request is finished meanwhile, and the caller goes on
/// inline instead of through a thread-pool continuation, a wake fewer. The spin is where the caller waits, not
/// where it queues, so a caller that queues many before awaiting any keeps them all in flight. One caller of an
/// interpreter spins at a time (<see cref="Interpreter.TryStartCallerSpin"/>). Continuations run on the thread
/// pool, never on the interpreter thread; like any <see cref="ValueTask{TResult}"/>, awaited once (or blocked on
/// once: <see cref="GetResult"/> waits for a pending outcome).
/// </summary>
internal sealed class SpinningValueSource<T>(Interpreter interpreter, SpinBudget spin) : IValueTaskSource<T>
{
    private ManualResetValueTaskSourceCore<T> _core = new() { RunContinuationsAsynchronously = true };
    private long _doneAt;                   // when the outcome was set, 0 before
    private bool _spun;
    private ManualResetEventSlim? _blocked; // made by a caller that blocks on a pending outcome (GetResult)
    private long _spunOutAt;                // when a caller's spin that timed out began, else 0

    private bool IsDone => Volatile.Read(ref _doneAt) != 0;

    public ValueTask<T> Task => new(this, _core.Version);

    public void SetResult(T value)
    {
        _core.SetResult(value);
        Done();
    }

    public void SetException(Exception error)
    {
        _core.SetException(error);
        Done();
    }

    private void Done()
    {
        if (Volatile.Read(ref _spunOutAt) is not 0 and var spinStart)
            spin.CameAfter(spinStart);
        Volatile.Write(ref _doneAt, Stopwatch.GetTimestamp());
        Interlocked.MemoryBarrier(); // the flag before the look at _blocked: a blocker publishes, then reads the flag
        Volatile.Read(ref _blocked)?.Set();
    }

    public ValueTaskSourceStatus GetStatus(short token)
    {
        if (!IsDone)
            SpinOnce();
        return _core.GetStatus(token);
    }

    /// <summary>The outcome; a caller that did not await (<c>.GetAwaiter().GetResult()</c> on the ValueTask)
    /// spins, then blocks until it is there, where a plain ValueTask source would throw.</summary>
    public T GetResult(short token)
    {
        if (!IsDone)
            Block();
        return _core.GetResult(token);
    }

    private void Block()
    {
        SpinOnce();
        if (IsDone)
            return;
        var gate = new ManualResetEventSlim();
        Interlocked.Exchange(ref _blocked, gate);
        if (!IsDone)
            gate.Wait();
    }

    public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _core.OnCompleted(continuation, state, token, flags);

    /// <summary>The one spin of a work item's outcome, at whichever look comes first.</summary>
    private void SpinOnce()
    {
        if (_spun)
            return;
        _spun = true;
        if (!interpreter.TryStartCallerSpin())
            return;
        try
        {
            var spinStart = Stopwatch.GetTimestamp();
            if (!spin.SpinUntil(this, static source => Volatile.Read(ref source._doneAt)))
                Volatile.Write(ref _spunOutAt, spinStart);
        }
        finally
        {
            interpreter.EndCallerSpin();
        }
    }
}

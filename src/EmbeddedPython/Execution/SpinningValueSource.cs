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
/// pool, never on the interpreter thread; like any <see cref="ValueTask{TResult}"/>, awaited once.
/// </summary>
internal sealed class SpinningValueSource<T>(Interpreter interpreter, long spinTicks) : IValueTaskSource<T>
{
    private ManualResetValueTaskSourceCore<T> _core = new() { RunContinuationsAsynchronously = true };
    private volatile bool _done;
    private bool _spun;

    public ValueTask<T> Task => new(this, _core.Version);

    public void SetResult(T value)
    {
        _core.SetResult(value);
        _done = true;
    }

    public void SetException(Exception error)
    {
        _core.SetException(error);
        _done = true;
    }

    public ValueTaskSourceStatus GetStatus(short token)
    {
        if (!_done && !_spun)
        {
            _spun = true;
            SpinForOutcome();
        }
        return _core.GetStatus(token);
    }

    public T GetResult(short token) => _core.GetResult(token);

    public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _core.OnCompleted(continuation, state, token, flags);

    private void SpinForOutcome()
    {
        if (spinTicks == 0 || !interpreter.TryStartCallerSpin())
            return;
        try
        {
            var end = Stopwatch.GetTimestamp() + spinTicks;
            while (!_done && Stopwatch.GetTimestamp() < end)
                Spinning.Round();
        }
        finally
        {
            interpreter.EndCallerSpin();
        }
    }
}

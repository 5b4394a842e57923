using System.Threading.Channels;
using EmbeddedPython.CPython;
using EmbeddedPython.Execution;

namespace EmbeddedPython.Calls;

/// <summary>What a call starts from: a module (imported once and kept) or a handle's object, then a dotted
/// path of attributes ("" for the root itself).</summary>
internal readonly record struct CallTarget(string? Module, PythonObject? Handle, string Path);

/// <summary>What is done with the resolved target.</summary>
internal enum CallKind
{
    /// <summary>Call it with the arguments.</summary>
    Invoke,

    /// <summary>Convert it as it is (an attribute read, an import, a handle's conversion).</summary>
    Read,
}

/// <summary>
/// One call on its way through the executor: the same phases, clocks, interruption and output handling as a
/// request (its <see cref="RequestState.Request"/> carries only the time limit), but its outcome is a value
/// converted to the caller's type on the interpreter thread.
/// </summary>
internal abstract class CallState : RequestState
{
    protected CallState(long id, PythonRequest settings, CallTarget target, CallKind kind, IReadOnlyList<object?>? args, IReadOnlyDictionary<string, object?>? kwargs)
        : base(id, settings)
    {
        Target = target;
        Kind = kind;
        Args = args;
        Kwargs = kwargs;
    }

    public CallTarget Target { get; }
    public CallKind Kind { get; }
    public IReadOnlyList<object?>? Args { get; }
    public IReadOnlyDictionary<string, object?>? Kwargs { get; }

    /// <summary>Whether the result is iterated and its items streamed (<see cref="StreamCallState{T}"/>).</summary>
    public virtual bool Streams => false;

    /// <summary>Converts the borrowed result and delivers it; returns the conversion error instead, undelivered.</summary>
    public abstract Exception? TryDeliver(nint result);

    /// <summary>One streamed item (borrowed); false when the reader is gone or the call ended.</summary>
    public virtual bool TryWriteItem(nint item) => throw new InvalidOperationException("Only a streamed call takes items.");
}

/// <summary>A call whose caller awaits one value: as a Task (<see cref="Result"/>), or as a ValueTask
/// (<see cref="ValueResult"/>, when one is given).</summary>
internal sealed class CallState<T>(long id, PythonRequest settings, CallTarget target, CallKind kind, IReadOnlyList<object?>? args, IReadOnlyDictionary<string, object?>? kwargs, SpinningValueSource<T>? valueResult = null)
    : CallState(id, settings, target, kind, args, kwargs)
{
    public TaskCompletionSource<T>? Result { get; } = valueResult is null ? new(TaskCreationOptions.RunContinuationsAsynchronously) : null;
    public SpinningValueSource<T>? ValueResult { get; } = valueResult;

    public override Exception? TryDeliver(nint result)
    {
        T value;
        try
        {
            value = CallConversion<T>.FromPython(result, "result");
        }
        catch (Exception e) when (e is PythonConversionException or ArgumentException or InvalidOperationException)
        {
            return e;
        }
        if (!TryMarkFinished())
            return null;
        if (Result is not null)
            Result.TrySetResult(value);
        else
            ValueResult!.SetResult(value);
        return null;
    }

    protected override void DeliverError(Exception error)
    {
        if (Result is not null)
            Result.TrySetException(error);
        else
            ValueResult!.SetException(error);
    }
}

/// <summary>A call whose result (a generator, an async generator, any iterable) is streamed item by item through
/// a bounded buffer: when it is full, the Python side waits for the reader (without the GIL).</summary>
internal sealed class StreamCallState<T>(long id, PythonRequest settings, CallTarget target, IReadOnlyList<object?>? args, IReadOnlyDictionary<string, object?>? kwargs)
    : CallState(id, settings, target, CallKind.Invoke, args, kwargs)
{
    public Channel<T> Items { get; } = Channel.CreateBounded<T>(new BoundedChannelOptions(StreamCapacity)
    {
        SingleReader = true,
        SingleWriter = true,
        FullMode = BoundedChannelFullMode.Wait,
    });

    public override bool Streams => true;

    /// <summary>The end of the stream: the result itself is not sent.</summary>
    public override Exception? TryDeliver(nint result)
    {
        if (TryMarkFinished())
            Items.Writer.TryComplete();
        return null;
    }

    public override unsafe bool TryWriteItem(nint item)
    {
        var value = CallConversion<T>.FromPython(item, "item");
        if (Items.Writer.TryWrite(value))
            return true;
        if (IsFinished)
            return false;
        var threadState = Py.PyEval_SaveThread();
        try
        {
            // Ends when the reader takes it, or with ChannelClosedException when the call ends meanwhile.
            Items.Writer.WriteAsync(value).AsTask().GetAwaiter().GetResult();
            return true;
        }
        catch (Exception e) when (e is ChannelClosedException or OperationCanceledException)
        {
            return false; // the reader left or the call timed out: the channel was completed with the reason
        }
        finally
        {
            Py.PyEval_RestoreThread(threadState);
        }
    }

    protected override void DeliverError(Exception error) => Items.Writer.TryComplete(error);
}

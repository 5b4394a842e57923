using System.Threading.Channels;
using EmbeddedPython.Memory;

namespace EmbeddedPython.Execution;

/// <summary>
/// One request on its way through the executor: queued, running on the interpreter thread, open (an async
/// or streaming request whose code returned but which is not complete yet), then finished. Finishing is
/// once-only, whoever gets there first: the interpreter, a timeout, the caller's token, or shutdown.
/// A call of the call API is a <see cref="Calls.CallState"/>, which delivers a typed value instead of a result.
/// </summary>
internal class RequestState
{
    public const int Queued = 0, Running = 1, Open = 2, Finished = 3;

    private int _phase;
    private int _interrupt;

    /// <param name="id">The request's id.</param>
    /// <param name="request">What to run.</param>
    /// <param name="script">The resolved script, when the request names one.</param>
    /// <param name="streaming">Its messages go to <see cref="Stream"/>, not into a result.</param>
    /// <param name="valueCompletion">Where a <see cref="System.Threading.Tasks.ValueTask{TResult}"/> caller awaits the
    /// result; a <see cref="Completion"/> is made when null (and the request does not stream).</param>
    public RequestState(long id, PythonRequest request, PythonScript? script, bool streaming, SpinningValueSource<PythonResult>? valueCompletion = null)
    {
        Id = id;
        Request = request;
        Script = script;
        MemoryLimit = request.MemoryLimit;
        HandlesReturn = streaming || request.CodeHandlesReturn;
        if (streaming)
            Stream = Channel.CreateBounded<PythonMessage>(new BoundedChannelOptions(StreamCapacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
        else if (valueCompletion is not null)
            ValueCompletion = valueCompletion;
        else
            Completion = new TaskCompletionSource<PythonResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (HandlesReturn && !streaming)
            Messages = [];
    }

    /// <summary>For subclasses that deliver their own outcome (<see cref="DeliverError"/>).</summary>
    protected RequestState(long id, PythonRequest request)
    {
        Id = id;
        Request = request;
    }

    /// <summary>How many messages a stream buffers before the sending code waits for the reader.</summary>
    public const int StreamCapacity = 1024;

    public long Id { get; }

    /// <summary>The executor lease that queued the request: its cache serves it, and releasing it ends the request.</summary>
    public required ExecutorLease Lease { get; init; }

    public PythonRequest Request { get; }
    public PythonScript? Script { get; }
    public bool HandlesReturn { get; }
    public TaskCompletionSource<PythonResult>? Completion { get; }
    public SpinningValueSource<PythonResult>? ValueCompletion { get; }
    public Channel<PythonMessage>? Stream { get; }
    public List<object?>? Messages { get; }

    /// <summary>The request's globals while it is open (owned reference), to read its values when its task ends.</summary>
    public nint Globals { get; set; }

    /// <summary>The asyncio task running an async request's code (owned reference).</summary>
    public nint Task { get; set; }

    /// <summary>The work item's memory limit in bytes, or null for the executor's default.</summary>
    public long? MemoryLimit { get; set; }

    /// <summary>The account its allocations are charged to while it runs (when it has a limit).</summary>
    public MemoryAccount? Memory { get; set; }

    /// <summary><see cref="EmbeddedPython.Memory.AllocatorHook.ProcessRefusals"/> when it started, to tell a
    /// <c>MemoryError</c> of the process limit from one the code raised itself.</summary>
    public long ProcessRefusalsAtStart { get; set; }

    /// <summary>The sandbox the request's code runs under: its own, or the executor's default.</summary>
    public PythonPolicy? Policy { get; init; }

    /// <summary>Whether the audit hook is counting this request as one with a policy (interpreter thread only).</summary>
    public bool PolicyEnforced { get; set; }

    /// <summary>The request's time limit, for the message of its timeout.</summary>
    public TimeSpan TimeLimit { get; set; } = System.Threading.Timeout.InfiniteTimeSpan;

    /// <summary>What the caller gets when the request was interrupted (whoever delivers it first).</summary>
    public Exception InterruptionError => InterruptReason switch
    {
        Execution.InterruptReason.TimeLimit => new PythonTimeoutException($"The Python request did not finish within its time limit of {TimeLimit}."),
        Execution.InterruptReason.Cancelled => new OperationCanceledException("The Python request was cancelled."),
        _ => new ObjectDisposedException(nameof(PythonExecutor), "The executor was disposed while the request ran."),
    };

    // Membership of the DeadlineWatch's list.
    public DeadlineWatch? Watch { get; set; }
    public long DeadlineTimestamp { get; set; }
    public RequestState? PreviousDeadline { get; set; }
    public RequestState? NextDeadline { get; set; }
    public bool Watched { get; set; }

    public CancellationTokenRegistration CallerRegistration { get; set; }

    /// <summary>The caller's activity when the request was submitted (only when someone listens), so the
    /// request's own activity joins its trace. The activity, not its 40-byte context: most requests have none.</summary>
    public System.Diagnostics.Activity? CallerActivity { get; set; }
    public long StartTimestamp { get; set; }

    public int Phase => Volatile.Read(ref _phase);
    public bool IsFinished => Phase == Finished;

    /// <summary>Why the request is being interrupted, or <see cref="Execution.InterruptReason.None"/>.</summary>
    public InterruptReason InterruptReason => (InterruptReason)Volatile.Read(ref _interrupt);

    public bool IsInterrupted => Volatile.Read(ref _interrupt) != (int)InterruptReason.None;

    public bool TryStart() => Interlocked.CompareExchange(ref _phase, Running, Queued) == Queued;

    public void MarkOpen() => Interlocked.CompareExchange(ref _phase, Open, Running);

    public bool TryInterrupt(InterruptReason reason) => Interlocked.CompareExchange(ref _interrupt, (int)reason, (int)InterruptReason.None) == (int)InterruptReason.None;

    /// <summary>Delivers the result to the caller; false when the request already finished.</summary>
    public bool TryFinish(PythonResult result)
    {
        if (!TryMarkFinished())
            return false;
        if (Completion is not null)
            Completion.TrySetResult(result);
        else if (ValueCompletion is not null)
            ValueCompletion.SetResult(result);
        else
            Stream!.Writer.TryComplete();
        return true;
    }

    /// <summary>Delivers an error to the caller; false when the request already finished.</summary>
    public bool TryFail(Exception error)
    {
        if (!TryMarkFinished())
            return false;
        DeliverError(error);
        return true;
    }

    /// <summary>Moves to Finished and stops the clocks; false when the request already finished.</summary>
    protected bool TryMarkFinished()
    {
        if (Interlocked.Exchange(ref _phase, Finished) == Finished)
            return false;
        ReleaseTimers();
        return true;
    }

    protected virtual void DeliverError(Exception error)
    {
        if (Completion is not null)
            Completion.TrySetException(error);
        else if (ValueCompletion is not null)
            ValueCompletion.SetException(error);
        else
            Stream!.Writer.TryComplete(error);
    }

    private void ReleaseTimers()
    {
        Watch?.Remove(this);
        CallerRegistration.Dispose();
    }
}

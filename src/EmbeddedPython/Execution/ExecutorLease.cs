using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace EmbeddedPython.Execution;

/// <summary>
/// One executor's share of one interpreter of the process: its own queue (<see cref="PythonExecutorOptions.QueueCapacity"/>),
/// code cache (<see cref="PythonExecutorOptions.CodeCacheSize"/>), block of request ids and loggers. The
/// interpreter thread serves the queues of all attached leases in turn; releasing a lease ends its requests
/// and tasks and drops its cache, and the interpreter goes on serving the others.
/// </summary>
internal sealed class ExecutorLease
{
    // Each lease numbers its requests in a block of its own: ids stay unique in the process (the interpreter
    // and Python key requests by id), and a block says which lease a request id belongs to.
    private const int IdBlockBits = 40;

    private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _nextId;
    private volatile bool _closing;
    private Exception? _failure;

    public ExecutorLease(Interpreter interpreter, int number, PythonExecutorOptions options, ILoggerFactory loggerFactory)
    {
        Interpreter = interpreter;
        Options = options;
        FirstId = (long)number << IdBlockBits;
        LastId = FirstId + (1L << IdBlockBits) - 1;
        _nextId = FirstId;
        // Read by the interpreter thread, and drained by whoever releases the lease: not single-reader.
        Queue = Channel.CreateBounded<RequestState>(new BoundedChannelOptions(options.QueueCapacity) { FullMode = BoundedChannelFullMode.Wait });
        Cache = new CodeCache(options.CodeCacheSize);
        CallerSpin = new SpinBudget(options);
        Logger = loggerFactory.CreateLogger("EmbeddedPython.Interpreter");
        OutputLogger = loggerFactory.CreateLogger("EmbeddedPython.Output");
    }

    public Interpreter Interpreter { get; }
    public PythonExecutorOptions Options { get; }
    public long FirstId { get; }
    public long LastId { get; }
    public Channel<RequestState> Queue { get; }

    /// <summary>How long this executor's callers spin for a short request's outcome (<see cref="SpinningValueSource{T}"/>).</summary>
    public SpinBudget CallerSpin { get; }

    /// <summary>Compiled code of this lease's requests; touched only by the interpreter thread.</summary>
    public CodeCache Cache { get; }

    /// <summary>The objects the executor's <see cref="PythonObject"/> handles keep alive; released with the lease.</summary>
    public Calls.HandleTable? Handles { get; set; }

    public ILogger Logger { get; }
    public ILogger OutputLogger { get; }

    /// <summary>Completes when the interpreter serves this lease; fails when Python could not be started or
    /// the lease's options cannot share the interpreter already running.</summary>
    public Task Started => _started.Task;

    public Exception? StartupError => _started.Task.Exception?.InnerException;

    /// <summary>True once the lease takes no more requests (released, or it could not start).</summary>
    public bool IsClosing => _closing;

    public bool IsReleased => _released.Task.IsCompleted;

    public Task Released => _released.Task;

    public long NextId() => Interlocked.Increment(ref _nextId);

    public ValueTask EnqueueAsync(RequestState state, CancellationToken cancellationToken)
    {
        if (_closing)
            throw ClosedError();
        if (Queue.Writer.TryWrite(state))
        {
            Interpreter.QueueChanged(1);
            Interpreter.WakeThread();
            return ValueTask.CompletedTask;
        }
        return EnqueueSlowAsync(state, cancellationToken);
    }

    private async ValueTask EnqueueSlowAsync(RequestState state, CancellationToken cancellationToken)
    {
        try
        {
            await Queue.Writer.WriteAsync(state, cancellationToken).ConfigureAwait(false);
        }
        catch (ChannelClosedException)
        {
            throw ClosedError();
        }
        Interpreter.QueueChanged(1);
        Interpreter.WakeThread();
    }

    /// <summary>What a request gets when it is sent to (or was queued on) a lease that takes no more.</summary>
    public Exception ClosedError() => _failure switch
    {
        null => new ObjectDisposedException(nameof(PythonExecutor)),
        ArgumentException or InvalidOperationException => _failure,
        _ => new InvalidOperationException($"Python could not be started: {_failure.Message}", _failure),
    };

    public void MarkStarted() => _started.TrySetResult();

    /// <summary>Python could not be started for this lease: it fails, and so does everything queued on it.</summary>
    public void Fail(Exception error)
    {
        _failure = error;
        _started.TrySetException(error);
        Close();
    }

    /// <summary>Takes no more requests and fails those still queued.</summary>
    public void Close()
    {
        _closing = true;
        Queue.Writer.TryComplete();
        while (Queue.Reader.TryRead(out var queued))
        {
            Interpreter.QueueChanged(-1);
            queued.TryFail(ClosedError());
        }
    }

    public void MarkReleased() => _released.TrySetResult();
}

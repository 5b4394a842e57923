using System.Runtime.CompilerServices;

namespace EmbeddedPython.Tasks.Hosting;

/// <summary>The host's book on one task: how it is, and every line it printed, readable while it grows.</summary>
internal sealed class TaskRecord(PythonTaskInfo info, long sequence)
{
    /// <summary>Start order among all tasks of the host.</summary>
    public long Sequence { get; } = sequence;

    private readonly object _gate = new();
    private readonly List<PythonTaskOutputLine> _lines = [];
    private readonly TaskCompletionSource<PythonTaskInfo> _ended = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private PythonTaskInfo _info = info;

    public PythonTaskInfo Info
    {
        get
        {
            lock (_gate)
                return _info;
        }
    }

    public Task<PythonTaskInfo> Ended => _ended.Task;

    /// <summary>Adds a printed line (kept for the life of the host) and wakes its readers.</summary>
    public PythonTaskOutputLine Append(string stream, string text)
    {
        var line = new PythonTaskOutputLine(_info.Pid, DateTimeOffset.UtcNow, stream, text);
        lock (_gate)
        {
            _lines.Add(line);
            Signal();
        }
        return line;
    }

    /// <summary>Marks the task ended; false when it had already ended (the first report wins).</summary>
    public bool TryEnd(PythonTaskState state, string? reason, out PythonTaskInfo ended)
    {
        lock (_gate)
        {
            if (_info.State != PythonTaskState.Running)
            {
                ended = _info;
                return false;
            }
            ended = _info = _info with { State = state, Reason = reason, EndedAt = DateTimeOffset.UtcNow };
            Signal();
        }
        _ended.TrySetResult(ended);
        return true;
    }

    /// <summary>The lines printed so far, then each new one, until the task has ended.</summary>
    public async IAsyncEnumerable<PythonTaskOutputLine> ReadAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var next = 0;
        while (true)
        {
            PythonTaskOutputLine[] batch;
            bool ended;
            Task changed;
            lock (_gate)
            {
                batch = _lines.GetRange(next, _lines.Count - next).ToArray();
                next = _lines.Count;
                ended = _info.State != PythonTaskState.Running;
                changed = _changed.Task;
            }
            foreach (var line in batch)
                yield return line;
            if (ended)
                yield break;
            await changed.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private void Signal()
    {
        var changed = _changed;
        _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        changed.TrySetResult();
    }
}

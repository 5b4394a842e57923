using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using EmbeddedPython.Tasks.Applications;
using EmbeddedPython.Tasks.Diagnostics;
using Microsoft.Extensions.Logging;

namespace EmbeddedPython.Tasks.Hosting;

/// <summary>
/// The .NET side's books: which tasks exist, their state and output, and who watches them. Everything the
/// Python side reports lands here; the ended tasks' books are kept up to <see cref="PythonTasksOptions.MaxEndedTasks"/>.
/// </summary>
internal sealed class TaskBook(PythonTasksOptions options, ILogger logger)
{
    private readonly ConcurrentDictionary<Guid, TaskRecord> _tasks = new();
    private readonly ConcurrentQueue<Guid> _endOrder = new();
    private readonly ConcurrentDictionary<Channel<PythonTaskEvent>, byte> _watchers = new();
    private long _lastSequence;

    /// <summary>Called when a task has ended, after its book says so (the host closes its websockets).</summary>
    public Action<Guid>? TaskEnded { get; set; }

    public PythonTaskInfo? Get(Guid pid) => _tasks.TryGetValue(pid, out var record) ? record.Info : null;

    public IReadOnlyList<PythonTaskInfo> List() => _tasks.Values.OrderBy(r => r.Sequence).Select(r => r.Info).ToList();

    public bool IsRunning(Guid pid) => _tasks.TryGetValue(pid, out var record) && record.Info.State == PythonTaskState.Running;

    public TaskRecord Find(Guid pid) =>
        _tasks.TryGetValue(pid, out var record) ? record : throw new ArgumentException($"No task has pid {pid}.", nameof(pid));

    public IAsyncEnumerable<PythonTaskEvent> Watch(CancellationToken cancellationToken)
    {
        // Subscribed at the call, not at the first MoveNext: a caller that starts a task right after
        // calling this must not miss its first events.
        var channel = Channel.CreateUnbounded<PythonTaskEvent>(new UnboundedChannelOptions { SingleReader = true });
        _watchers.TryAdd(channel, 0);
        return ReadWatchAsync(channel, cancellationToken);
    }

    private async IAsyncEnumerable<PythonTaskEvent> ReadWatchAsync(Channel<PythonTaskEvent> channel, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var item in channel.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
                yield return item;
        }
        finally
        {
            _watchers.TryRemove(channel, out _);
        }
    }

    /// <summary>Creates the task's book and work folder; returns the spec the Python side starts it from.</summary>
    public (TaskRecord Record, Dictionary<string, object?> Spec) Register(ApplicationFolder application, string script,
        IReadOnlyDictionary<string, object?> parameters, PythonTaskLimits? limits, Guid? parentPid)
    {
        var pid = Guid.NewGuid();
        var outputPath = Path.Combine(Path.GetFullPath(options.WorkDirectory), pid.ToString());
        Directory.CreateDirectory(outputPath);
        var timeout = limits?.Timeout ?? options.DefaultTimeout;
        var memory = limits?.MaxMemoryMegabytes ?? options.DefaultMaxMemoryMegabytes;
        var info = new PythonTaskInfo(pid, parentPid, application.Path, script, outputPath, timeout, memory,
            DateTimeOffset.UtcNow, PythonTaskState.Running, EndedAt: null, Reason: null);
        var record = new TaskRecord(info, Interlocked.Increment(ref _lastSequence));
        _tasks[pid] = record;
        Log.TaskStarted(logger, pid, script, application.Path, parentPid);
        Telemetry.Started.Add(1);
        Telemetry.Running.Add(1);
        Publish(new PythonTaskEvent(PythonTaskEventKind.Started, info, null));
        var spec = new Dictionary<string, object?>
        {
            ["pid"] = pid.ToString(),
            ["parentPid"] = parentPid?.ToString(),
            ["applicationPath"] = application.Path,
            ["scriptPath"] = script,
            ["scriptParams"] = parameters,
            ["globalParams"] = application.GlobalParameters,
            ["outputPath"] = outputPath,
            ["timeoutSeconds"] = timeout == Timeout.InfiniteTimeSpan ? null : timeout.TotalSeconds,
            ["maxMemoryBytes"] = memory == 0 ? null : memory * 1024L * 1024L,
        };
        return (record, spec);
    }

    /// <summary>run_am_script from a task: the child's spec, or {"error": why not}.</summary>
    public Dictionary<string, object?> RegisterChild(Guid parentPid, string script, IReadOnlyDictionary<string, object?>? parameters)
    {
        string? error;
        try
        {
            var parent = Find(parentPid).Info;
            var application = ApplicationFolder.Open(parent.ApplicationPath);
            (var resolved, error) = application.Resolve(script);
            if (error is null)
            {
                using var _ = Telemetry.StartingTask(resolved!, parentPid);
                return Register(application, resolved!, parameters ?? new Dictionary<string, object?>(), limits: null, parentPid).Spec;
            }
        }
        catch (ArgumentException refused)
        {
            error = refused.Message;
        }
        Log.ChildRefused(logger, parentPid, script, error!);
        return new Dictionary<string, object?> { ["error"] = error };
    }

    public void Output(Guid pid, string stream, string text)
    {
        if (!_tasks.TryGetValue(pid, out var record))
            return;
        var line = record.Append(stream, text);
        Log.TaskOutput(logger, pid, stream, text);
        if (!_watchers.IsEmpty)
            Publish(new PythonTaskEvent(PythonTaskEventKind.Output, record.Info, line));
    }

    public void Ended(Guid pid, PythonTaskState state, string? reason)
    {
        if (!_tasks.TryGetValue(pid, out var record) || !record.TryEnd(state, reason, out var ended))
            return;
        Log.TaskEnded(logger, pid, ended.StateName, reason);
        var stateTag = new KeyValuePair<string, object?>("state", ended.StateName);
        Telemetry.Running.Add(-1);
        Telemetry.Ended.Add(1, stateTag);
        Telemetry.Duration.Record((ended.EndedAt!.Value - ended.StartedAt).TotalSeconds, stateTag);
        TaskEnded?.Invoke(pid);
        Publish(new PythonTaskEvent(PythonTaskEventKind.Ended, ended, null));
        // The books of ended tasks are kept for reading, but not without end.
        _endOrder.Enqueue(pid);
        while (_endOrder.Count > options.MaxEndedTasks && _endOrder.TryDequeue(out var oldest))
            _tasks.TryRemove(oldest, out _);
    }

    private void Publish(PythonTaskEvent item)
    {
        foreach (var watcher in _watchers.Keys)
            watcher.Writer.TryWrite(item);
    }
}

using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using EmbeddedPython.Tasks.Applications;
using EmbeddedPython.Tasks.WebSockets;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EmbeddedPython.Tasks.Hosting;

/// <summary>
/// The task host. The .NET side keeps the books (which tasks exist, their state and output) and checks
/// applications and scripts; the Python side (<c>ompy._tasks</c>) runs each task in its own Python thread
/// and enforces its limits. Starting a task is one short request on the interpreter thread; everything the
/// Python side reports comes back through the callbacks given to it once, at install.
/// </summary>
internal sealed class PythonTaskHost : IPythonTaskHost, IHostedService, IAsyncDisposable
{
    private static readonly IReadOnlyList<string> NoValues = [];
    private static readonly IReadOnlyList<string> ResultValue = ["result"];

    private readonly IPythonExecutor _executor;
    private readonly PythonTasksOptions _options;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<Guid, TaskRecord> _tasks = new();
    private readonly ConcurrentQueue<Guid> _endOrder = new();
    private readonly ConcurrentDictionary<Channel<PythonTaskEvent>, byte> _watchers = new();
    private readonly TaskWebSocketServer _webSockets;
    private readonly SemaphoreSlim _installGate = new(1, 1);
    private volatile bool _installed;
    private long _lastSequence;

    public PythonTaskHost(IPythonExecutor executor, IOptions<PythonTasksOptions> options, ILoggerFactory loggerFactory)
    {
        _executor = executor;
        _options = options.Value;
        _logger = loggerFactory.CreateLogger<PythonTaskHost>();
        _webSockets = new TaskWebSocketServer(this, loggerFactory);
    }

    // ---- IPythonTaskHost ----

    public async Task<Guid> StartAsync(string applicationPath, string scriptPath, IReadOnlyDictionary<string, object?>? parameters = null,
        PythonTaskLimits? limits = null, CancellationToken cancellationToken = default)
    {
        var application = ApplicationFolder.Open(applicationPath);
        ArgumentNullException.ThrowIfNull(scriptPath);
        var (script, error) = application.Resolve(scriptPath);
        if (error is not null)
            throw new ArgumentException(error, nameof(scriptPath));
        if (limits?.Timeout is { } timeout && timeout <= TimeSpan.Zero && timeout != Timeout.InfiniteTimeSpan)
            throw new ArgumentException($"The time limit must be positive or Timeout.InfiniteTimeSpan (was {timeout}).", nameof(limits));
        if (limits?.MaxMemoryMegabytes is < 0)
            throw new ArgumentException($"The memory limit must be 0 (none) or more MB (was {limits.MaxMemoryMegabytes}).", nameof(limits));
        await EnsureInstalledAsync(cancellationToken).ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();

        var (record, spec) = Register(application, script!, parameters is null ? [] : new Dictionary<string, object?>(parameters), limits, parentPid: null);
        try
        {
            await _executor.ExecuteAsync(new PythonRequest
            {
                Name = "ompy.tasks.start",
                Code = "import ompy._tasks\nompy._tasks.start(spec)",
                PresetValues = new Dictionary<string, object?> { ["spec"] = spec },
                LimitReturnTo = NoValues,
            }, CancellationToken.None).ConfigureAwait(false); // short; cancelled half-way, the task could run unbooked
        }
        catch (Exception failure)
        {
            OnEnded(record.Info.Pid, PythonTaskState.Failed, $"could not be started: {failure.Message}");
            throw;
        }
        return record.Info.Pid;
    }

    public PythonTaskInfo? Get(Guid pid) => _tasks.TryGetValue(pid, out var record) ? record.Info : null;

    public IReadOnlyList<PythonTaskInfo> List() => _tasks.Values.OrderBy(r => r.Sequence).Select(r => r.Info).ToList();

    public async Task<bool> StopAsync(Guid pid, CancellationToken cancellationToken = default)
    {
        if (!_tasks.TryGetValue(pid, out var record) || record.Info.State != PythonTaskState.Running)
            return false;
        return await CallAsync("ompy.tasks.stop", "import ompy._tasks\nresult = ompy._tasks.stop(pid, 'killed', 'stopped by the host')",
            new Dictionary<string, object?> { ["pid"] = pid.ToString() }, cancellationToken).ConfigureAwait(false) is true;
    }

    public Task<PythonTaskInfo> WaitAsync(Guid pid, CancellationToken cancellationToken = default) =>
        Find(pid).Ended.WaitAsync(cancellationToken);

    public IAsyncEnumerable<PythonTaskOutputLine> ReadOutputAsync(Guid pid, CancellationToken cancellationToken = default) =>
        Find(pid).ReadAsync(cancellationToken);

    public IAsyncEnumerable<PythonTaskEvent> WatchAsync(CancellationToken cancellationToken = default)
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

    public async Task<bool> PostAsync(Guid pid, object? message, CancellationToken cancellationToken = default)
    {
        if (!_tasks.TryGetValue(pid, out var record) || record.Info.State != PythonTaskState.Running)
            return false;
        return await CallAsync("ompy.tasks.post", "import ompy._tasks\nresult = ompy._tasks.post(pid, message)",
            new Dictionary<string, object?> { ["pid"] = pid.ToString(), ["message"] = message }, cancellationToken).ConfigureAwait(false) is true;
    }

    public Uri? WebSocketUri(Guid pid) => _webSockets.Port is { } port ? new Uri($"ws://127.0.0.1:{port}/{pid}") : null;

    // ---- IHostedService ----

    async Task IHostedService.StartAsync(CancellationToken cancellationToken)
    {
        await _webSockets.StartAsync(_options.WebSocketPort, cancellationToken).ConfigureAwait(false);
        // Again when tasks were started before the host: the Python side learns the port only now.
        await EnsureInstalledAsync(cancellationToken, again: true).ConfigureAwait(false);
    }

    async Task IHostedService.StopAsync(CancellationToken cancellationToken)
    {
        foreach (var info in List().Where(t => t.State == PythonTaskState.Running))
        {
            try
            {
                await StopAsync(info.Pid, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception error) when (error is ObjectDisposedException or OperationCanceledException)
            {
                break; // the executor is going away too; its threads go with the process
            }
        }
        await _webSockets.StopAsync(cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        await _webSockets.DisposeAsync().ConfigureAwait(false);
        _installGate.Dispose();
    }

    // ---- what the websocket endpoint asks ----

    internal bool IsRunning(Guid pid) => _tasks.TryGetValue(pid, out var record) && record.Info.State == PythonTaskState.Running;

    internal async Task<bool> WebConnectedAsync(Guid pid, long connection, CancellationToken cancellationToken) =>
        await CallAsync("ompy.tasks.web_connected", "import ompy._tasks\nresult = ompy._tasks.web_connected(pid, connection)",
            new Dictionary<string, object?> { ["pid"] = pid.ToString(), ["connection"] = connection }, cancellationToken).ConfigureAwait(false) is true;

    /// <summary>Hands a peer's message (string, byte[], or null when the peer left) to the task's socket.</summary>
    internal Task WebMessageAsync(long connection, object? message, CancellationToken cancellationToken) =>
        CallAsync("ompy.tasks.web_message", "import ompy._tasks\nompy._tasks.web_message(connection, message)",
            new Dictionary<string, object?> { ["connection"] = connection, ["message"] = message }, cancellationToken);

    // ---- internals ----

    private TaskRecord Find(Guid pid) =>
        _tasks.TryGetValue(pid, out var record) ? record : throw new ArgumentException($"No task has pid {pid}.", nameof(pid));

    private async Task<object?> CallAsync(string name, string code, Dictionary<string, object?> values, CancellationToken cancellationToken)
    {
        var result = await _executor.ExecuteAsync(new PythonRequest
        {
            Name = name,
            Code = code,
            PresetValues = values,
            LimitReturnTo = ResultValue,
        }, cancellationToken).ConfigureAwait(false);
        return result.Values.GetValueOrDefault("result");
    }

    /// <summary>Gives the Python side its callbacks and the websocket port (installing twice only updates them).</summary>
    private async Task EnsureInstalledAsync(CancellationToken cancellationToken, bool again = false)
    {
        if (_installed && !again)
            return;
        await _installGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_installed && !again)
                return;
            var callbacks = new Dictionary<string, object?>
            {
                ["register"] = Guarded(OnRegister),
                ["output"] = Guarded(args => OnOutput(Pid(args[0]), (string)args[1]!, (string)args[2]!)),
                ["ended"] = Guarded(args => OnEnded(Pid(args[0]), ParseState((string)args[1]!), (string?)args[2])),
                ["ws_send"] = Guarded(args => (object?)_webSockets.Send(Convert.ToInt64(args[0]), args[1])),
                ["ws_close"] = Guarded(args => _webSockets.Close(Convert.ToInt64(args[0]))),
            };
            await _executor.ExecuteAsync(new PythonRequest
            {
                Code = "import ompy._tasks\nompy._tasks.install(callbacks, port)",
                PresetValues = new Dictionary<string, object?> { ["callbacks"] = callbacks, ["port"] = _webSockets.Port },
                LimitReturnTo = NoValues,
            }, cancellationToken).ConfigureAwait(false);
            _installed = true;
        }
        finally
        {
            _installGate.Release();
        }
    }

    /// <summary>A callback that logs what went wrong before Python sees it as RuntimeError.</summary>
    private PythonCallback Guarded(Func<IReadOnlyList<object?>, object?> callback) => args =>
    {
        try
        {
            return callback(args);
        }
        catch (Exception error)
        {
            Log.CallbackFailed(_logger, error);
            throw;
        }
    };

    private PythonCallback Guarded(Action<IReadOnlyList<object?>> callback) => Guarded(args =>
    {
        callback(args);
        return null;
    });

    /// <summary>Creates the task's book and work folder; returns the spec the Python side starts it from.</summary>
    private (TaskRecord Record, Dictionary<string, object?> Spec) Register(ApplicationFolder application, string script,
        Dictionary<string, object?> parameters, PythonTaskLimits? limits, Guid? parentPid)
    {
        var pid = Guid.NewGuid();
        var outputPath = Path.Combine(Path.GetFullPath(_options.WorkDirectory), pid.ToString());
        Directory.CreateDirectory(outputPath);
        var timeout = limits?.Timeout ?? _options.DefaultTimeout;
        var memory = limits?.MaxMemoryMegabytes ?? _options.DefaultMaxMemoryMegabytes;
        var info = new PythonTaskInfo(pid, parentPid, application.Path, script, outputPath, timeout, memory,
            DateTimeOffset.UtcNow, PythonTaskState.Running, EndedAt: null, Reason: null);
        var record = new TaskRecord(info, Interlocked.Increment(ref _lastSequence));
        _tasks[pid] = record;
        Log.TaskStarted(_logger, pid, script, application.Path, parentPid);
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
    private object? OnRegister(IReadOnlyList<object?> args)
    {
        var parentPid = Pid(args[0]);
        var script = (string)args[1]!;
        var parameters = args[2] as Dictionary<string, object?> ?? [];
        string? error;
        try
        {
            var parent = Find(parentPid).Info;
            var application = ApplicationFolder.Open(parent.ApplicationPath);
            (var resolved, error) = application.Resolve(script);
            if (error is null)
                return Register(application, resolved!, parameters, limits: null, parentPid).Spec;
        }
        catch (ArgumentException refused)
        {
            error = refused.Message;
        }
        Log.ChildRefused(_logger, parentPid, script, error!);
        return new Dictionary<string, object?> { ["error"] = error };
    }

    private void OnOutput(Guid pid, string stream, string text)
    {
        if (!_tasks.TryGetValue(pid, out var record))
            return;
        var line = record.Append(stream, text);
        Log.TaskOutput(_logger, pid, stream, text);
        if (!_watchers.IsEmpty)
            Publish(new PythonTaskEvent(PythonTaskEventKind.Output, record.Info, line));
    }

    private void OnEnded(Guid pid, PythonTaskState state, string? reason)
    {
        if (!_tasks.TryGetValue(pid, out var record) || !record.TryEnd(state, reason, out var ended))
            return;
        Log.TaskEnded(_logger, pid, ended.StateName, reason);
        var stateTag = new KeyValuePair<string, object?>("state", ended.StateName);
        Telemetry.Running.Add(-1);
        Telemetry.Ended.Add(1, stateTag);
        Telemetry.Duration.Record((ended.EndedAt!.Value - ended.StartedAt).TotalSeconds, stateTag);
        _webSockets.CloseAll(pid);
        Publish(new PythonTaskEvent(PythonTaskEventKind.Ended, ended, null));
        // The books of ended tasks are kept for reading, but not without end.
        _endOrder.Enqueue(pid);
        while (_endOrder.Count > _options.MaxEndedTasks && _endOrder.TryDequeue(out var oldest))
            _tasks.TryRemove(oldest, out _);
    }

    private void Publish(PythonTaskEvent item)
    {
        foreach (var watcher in _watchers.Keys)
            watcher.Writer.TryWrite(item);
    }

    private static Guid Pid(object? value) => Guid.Parse((string)value!);

    private static PythonTaskState ParseState(string state) => state switch
    {
        "closed" => PythonTaskState.Closed,
        "failed" => PythonTaskState.Failed,
        "timed out" => PythonTaskState.TimedOut,
        "killed" => PythonTaskState.Killed,
        _ => throw new ArgumentException($"Unknown task state '{state}' from the Python side.", nameof(state)),
    };
}

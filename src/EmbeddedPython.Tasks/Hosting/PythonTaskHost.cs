using EmbeddedPython.Tasks.Applications;
using EmbeddedPython.Tasks.Diagnostics;
using EmbeddedPython.Tasks.Protocol;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EmbeddedPython.Tasks.Hosting;

/// <summary>
/// The task host. The .NET side keeps the books (<see cref="TaskBook"/>: which tasks exist, their state and
/// output) and checks applications and scripts; the Python side (<c>ompy._tasks</c>, reached through
/// <see cref="TaskRuntime"/>) runs each task in its own Python thread and enforces its limits. Starting a task
/// is one short call on the interpreter thread; what the Python side reports comes back through callbacks.
/// </summary>
internal sealed class PythonTaskHost : IPythonTaskHost, IHostedService, IAsyncDisposable
{
    private readonly PythonTasksOptions _options;
    private readonly TaskBook _book;
    private readonly TaskRuntime _runtime;
    private readonly TaskWebSocketServer _webSockets;

    public PythonTaskHost(IPythonExecutor executor, IOptions<PythonTasksOptions> options, ILoggerFactory loggerFactory)
    {
        _options = options.Value;
        var logger = loggerFactory.CreateLogger<PythonTaskHost>();
        _book = new TaskBook(_options, logger);
        _runtime = new TaskRuntime(executor, logger);
        _webSockets = new TaskWebSocketServer(this, loggerFactory);
        _book.TaskEnded = _webSockets.CloseAll;
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
        await InstallAsync(cancellationToken).ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();

        using var activity = Telemetry.StartingTask(script!, parentPid: null);
        var (record, spec) = _book.Register(application, script!, parameters is null ? [] : new Dictionary<string, object?>(parameters), limits, parentPid: null);
        try
        {
            await _runtime.StartAsync(spec).ConfigureAwait(false); // not cancellable: cancelled half-way, the task could run unbooked
        }
        catch (Exception failure)
        {
            _book.Ended(record.Info.Pid, PythonTaskState.Failed, $"could not be started: {failure.Message}");
            throw;
        }
        activity?.SetTag("embeddedpython.tasks.pid", record.Info.Pid.ToString());
        return record.Info.Pid;
    }

    public PythonTaskInfo? Get(Guid pid) => _book.Get(pid);

    public IReadOnlyList<PythonTaskInfo> List() => _book.List();

    public Task<bool> StopAsync(Guid pid, CancellationToken cancellationToken = default) =>
        _book.IsRunning(pid) ? _runtime.StopAsync(pid, "killed", "stopped by the host", cancellationToken) : Task.FromResult(false);

    public Task<PythonTaskInfo> WaitAsync(Guid pid, CancellationToken cancellationToken = default) =>
        _book.Find(pid).Ended.WaitAsync(cancellationToken);

    public IAsyncEnumerable<PythonTaskOutputLine> ReadOutputAsync(Guid pid, CancellationToken cancellationToken = default) =>
        _book.Find(pid).ReadAsync(cancellationToken);

    public IAsyncEnumerable<PythonTaskEvent> WatchAsync(CancellationToken cancellationToken = default) => _book.Watch(cancellationToken);

    public Task<bool> PostAsync(Guid pid, object? message, CancellationToken cancellationToken = default) =>
        _book.IsRunning(pid) ? _runtime.PostAsync(pid, message, cancellationToken) : Task.FromResult(false);

    public Uri? WebSocketUri(Guid pid) => _webSockets.Port is { } port ? new Uri($"ws://127.0.0.1:{port}/{pid}") : null;

    // ---- IHostedService ----

    async Task IHostedService.StartAsync(CancellationToken cancellationToken)
    {
        await _webSockets.StartAsync(_options.WebSocketPort, cancellationToken).ConfigureAwait(false);
        // Again when tasks were started before the host: the Python side learns the port only now.
        await InstallAsync(cancellationToken, again: true).ConfigureAwait(false);
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
        await _runtime.DisposeAsync().ConfigureAwait(false);
    }

    // ---- what the websocket endpoint asks ----

    internal bool IsRunning(Guid pid) => _book.IsRunning(pid);

    internal Task<bool> WebConnectedAsync(Guid pid, long connection, CancellationToken cancellationToken) =>
        _runtime.WebConnectedAsync(pid, connection, cancellationToken);

    /// <summary>Hands a peer's message (string, byte[], or null when the peer left) to the task's socket.</summary>
    internal Task WebMessageAsync(long connection, object? message, CancellationToken cancellationToken) =>
        _runtime.WebMessageAsync(connection, message, cancellationToken);

    private Task InstallAsync(CancellationToken cancellationToken, bool again = false) =>
        _runtime.InstallAsync(_book, _webSockets.Send, _webSockets.Close, _webSockets.Port, cancellationToken, again);
}

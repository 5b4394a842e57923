namespace EmbeddedPython.Tasks;

/// <summary>
/// Runs the executable scripts of application folders as tasks inside this process: each task is one Python
/// thread with its own <c>TASK_PARAMS</c>, output, work folder, local modules and limits.
/// </summary>
public interface IPythonTaskHost
{
    /// <summary>Starts <paramref name="scriptPath"/> of the application in <paramref name="applicationPath"/>
    /// as a task and returns its pid at once; the task runs concurrently with every other.</summary>
    /// <param name="applicationPath">The application folder; it holds the manifest <c>application.json</c>.</param>
    /// <param name="scriptPath">The script, relative to the application folder; the manifest must list it as executable.</param>
    /// <param name="parameters">The task's JSON parameters (<c>TASK_PARAMS['scriptParams']</c>), merged over the application's global ones.</param>
    /// <param name="limits">Time and memory limits; null takes the host's defaults.</param>
    /// <param name="cancellationToken">Cancels the start (not the task once started).</param>
    /// <exception cref="ArgumentException">No such application or script, or the script is not executable.</exception>
    Task<Guid> StartAsync(string applicationPath, string scriptPath, IReadOnlyDictionary<string, object?>? parameters = null,
        PythonTaskLimits? limits = null, CancellationToken cancellationToken = default);

    /// <summary>The task with this pid (running or ended), or null.</summary>
    PythonTaskInfo? Get(Guid pid);

    /// <summary>Every task this host started, in start order.</summary>
    IReadOnlyList<PythonTaskInfo> List();

    /// <summary>Stops a running task; it ends as <see cref="PythonTaskState.Killed"/>. False when it is not running.</summary>
    Task<bool> StopAsync(Guid pid, CancellationToken cancellationToken = default);

    /// <summary>Waits until the task has ended and returns how it ended.</summary>
    /// <exception cref="ArgumentException">No task has this pid.</exception>
    Task<PythonTaskInfo> WaitAsync(Guid pid, CancellationToken cancellationToken = default);

    /// <summary>The task's output lines from its start, then each new one as it is printed, until the task ends.</summary>
    /// <exception cref="ArgumentException">No task has this pid.</exception>
    IAsyncEnumerable<PythonTaskOutputLine> ReadOutputAsync(Guid pid, CancellationToken cancellationToken = default);

    /// <summary>Every task's start, output lines and end (children included) from the moment of this call,
    /// until cancelled. Enumerate what it returns: events wait for its reader.</summary>
    IAsyncEnumerable<PythonTaskEvent> WatchAsync(CancellationToken cancellationToken = default);

    /// <summary>Posts a message to a running task; its script reads it with
    /// <c>ompy.appmanager.observer.read_json_from_observer()</c>. False when the task is not running.</summary>
    /// <param name="pid">The task.</param>
    /// <param name="message">Any value the executor converts to Python (a dictionary, a JsonElement, …).</param>
    /// <param name="cancellationToken">Cancels the post.</param>
    Task<bool> PostAsync(Guid pid, object? message, CancellationToken cancellationToken = default);

    /// <summary>The websocket address whose peer messages reach the task with this pid:
    /// <c>ws://127.0.0.1:&lt;port&gt;/&lt;pid&gt;</c>. Null until the host has started.</summary>
    Uri? WebSocketUri(Guid pid);
}

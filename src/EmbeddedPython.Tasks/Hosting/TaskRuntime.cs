using EmbeddedPython.Tasks.Diagnostics;
using Microsoft.Extensions.Logging;

namespace EmbeddedPython.Tasks.Hosting;

/// <summary>
/// The host's side of <c>ompy._tasks</c>: calls of its functions through one kept module handle (no source
/// text, no globals per call), and the .NET functions it calls back, handed over once at install.
/// </summary>
internal sealed class TaskRuntime(IPythonExecutor executor, ILogger logger) : IAsyncDisposable
{
    private const string ModuleName = "ompy._tasks";

    private readonly SemaphoreSlim _installGate = new(1, 1);
    private volatile PythonObject? _module;

    /// <summary>Imports the module and gives it the host's callbacks and the websocket port. Once, unless
    /// <paramref name="again"/>: then only the callbacks and the port are updated.</summary>
    public async Task InstallAsync(TaskBook book, Func<long, object?, bool> webSend, Action<long> webClose, int? webSocketPort,
        CancellationToken cancellationToken, bool again = false)
    {
        if (_module is not null && !again)
            return;
        await _installGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_module is not null && !again)
                return;
            var module = _module ?? await executor.ImportAsync(ModuleName, cancellationToken).ConfigureAwait(false);
            await module.CallMethodAsync<object?>("install", kwargs: new Dictionary<string, object?>
            {
                ["register"] = (Func<string, string, Dictionary<string, object?>?, Dictionary<string, object?>>)((parent, script, parameters) =>
                    Guarded(() => book.RegisterChild(Guid.Parse(parent), script, parameters))),
                ["output"] = (Action<string, string, string>)((pid, stream, text) => Guarded(() => book.Output(Guid.Parse(pid), stream, text))),
                ["ended"] = (Action<string, string, string?>)((pid, state, reason) => Guarded(() => book.Ended(Guid.Parse(pid), ParseState(state), reason))),
                ["ws_send"] = (Func<long, object?, bool>)((connection, message) => Guarded(() => webSend(connection, message))),
                ["ws_close"] = (Action<long>)(connection => Guarded(() => webClose(connection))),
                ["websocket_port"] = webSocketPort,
            }, cancellationToken: cancellationToken).ConfigureAwait(false);
            _module = module;
        }
        finally
        {
            _installGate.Release();
        }
    }

    /// <summary>Starts the thread of a registered task (short: its script runs on that thread).</summary>
    public Task StartAsync(Dictionary<string, object?> spec) => Call<string>("start", [spec], CancellationToken.None);

    /// <summary>Stops a running task; false when the Python side runs no task with that pid.</summary>
    public Task<bool> StopAsync(Guid pid, string state, string reason, CancellationToken cancellationToken) =>
        Call<bool>("stop", [pid.ToString(), state, reason], cancellationToken);

    /// <summary>A message for <c>read_json_from_observer</c>; false when no such task runs.</summary>
    public Task<bool> PostAsync(Guid pid, object? message, CancellationToken cancellationToken) =>
        Call<bool>("post", [pid.ToString(), message], cancellationToken);

    /// <summary>A websocket peer connected to the task; false when no such task runs.</summary>
    public Task<bool> WebConnectedAsync(Guid pid, long connection, CancellationToken cancellationToken) =>
        Call<bool>("web_connected", [pid.ToString(), connection], cancellationToken);

    /// <summary>A peer's message (string, byte[], or null when the peer left) for the task's socket.</summary>
    public Task WebMessageAsync(long connection, object? message, CancellationToken cancellationToken) =>
        Call<object?>("web_message", [connection, message], cancellationToken);

    public async ValueTask DisposeAsync()
    {
        if (_module is { } module)
            await module.DisposeAsync().ConfigureAwait(false);
        _installGate.Dispose();
    }

    private Task<T> Call<T>(string function, IReadOnlyList<object?> args, CancellationToken cancellationToken) =>
        (_module ?? throw new InvalidOperationException("The task host has not installed its Python side yet."))
            .CallMethodAsync<T>(function, args, cancellationToken: cancellationToken);

    /// <summary>Runs a callback from Python, logging what went wrong before Python sees it as RuntimeError.</summary>
    private T Guarded<T>(Func<T> callback)
    {
        try
        {
            return callback();
        }
        catch (Exception error)
        {
            Log.CallbackFailed(logger, error);
            throw;
        }
    }

    private void Guarded(Action callback) => Guarded(() =>
    {
        callback();
        return true;
    });

    private static PythonTaskState ParseState(string state) => state switch
    {
        "closed" => PythonTaskState.Closed,
        "failed" => PythonTaskState.Failed,
        "timed out" => PythonTaskState.TimedOut,
        "killed" => PythonTaskState.Killed,
        _ => throw new ArgumentException($"Unknown task state '{state}' from the Python side.", nameof(state)),
    };
}

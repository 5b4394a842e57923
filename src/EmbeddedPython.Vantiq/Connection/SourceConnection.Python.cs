using System.Text.Json;
using EmbeddedPython.Vantiq.Execution;
using EmbeddedPython.Vantiq.Protocol;

namespace EmbeddedPython.Vantiq.Connection;

/// <summary>The Python side of a <see cref="SourceConnection"/>: its configuration per session, and the
/// callbacks through which Python code replies, notifies, declares health and closes.</summary>
internal sealed partial class SourceConnection
{
    private async Task ConfigurePythonAsync(JsonElement config, CancellationToken stopping)
    {
        var presets = new Dictionary<string, object?>
        {
            ["_vq_id"] = _connectionId,
            ["_vq_source"] = _source,
            ["_vq_config"] = config,
            ["_vq_server_config"] = _serverConfig,
            ["_vq_reply"] = new PythonCallback(Reply),
            ["_vq_notify"] = new PythonCallback(Notify),
            ["_vq_health"] = new PythonCallback(Health),
            ["_vq_close"] = new PythonCallback(RequestClose),
        };
        await _executor.ExecuteAsync(new PythonRequest { Name = PythonSide.ConfigureName, Code = PythonSide.ConfigureCode, PresetValues = presets }, stopping)
            .ConfigureAwait(false);
    }

    private async Task ForgetPythonStateAsync()
    {
        try
        {
            var presets = new Dictionary<string, object?> { ["_vq_id"] = _connectionId };
            await _executor.ExecuteAsync(new PythonRequest { Name = PythonSide.ForgetName, Code = PythonSide.ForgetCode, PresetValues = presets })
                .ConfigureAwait(false);
        }
        catch (Exception e) when (e is ObjectDisposedException or PythonException or InvalidOperationException or TimeoutException)
        {
            // The executor is already gone: so is the state.
        }
    }

    /// <summary>A reply frame from Python code: 100 while the query is open, a final one only once.</summary>
    private object? Reply(IReadOnlyList<object?> arguments)
    {
        if (arguments is not [string address, long status, var body] || body is not (null or string))
            throw new ArgumentException("reply expects (address, status, body JSON or None).");
        var open = status == 100 ? _openQueries.IsOpen(address) : _openQueries.TryClose(address);
        if (!open)
            throw new InvalidOperationException($"The query with reply address {address} was already answered or timed out.");
        if (!_outgoing.TryAdd(OutgoingFrames.QueryResponse((int)status, address, (string?)body)))
            throw new InvalidOperationException($"The outgoing queue of source {_source} is full ({_options.OutgoingQueueCapacity} frames); the reply was not sent.");
        return null;
    }

    private object? Notify(IReadOnlyList<object?> arguments)
    {
        var json = arguments.Count == 1 && arguments[0] is string text ? text : throw new ArgumentException("send_notification expects one message.");
        if (!_outgoing.TryAdd(OutgoingFrames.Notification(_source, json)))
            throw new InvalidOperationException($"The outgoing queue of source {_source} is full ({_options.OutgoingQueueCapacity} frames); the notification was not sent.");
        return null;
    }

    private object? Health(IReadOnlyList<object?> arguments)
    {
        switch (arguments.Count == 1 ? arguments[0] : null)
        {
            case true: _health.DeclareHealthy(); break;
            case false: _health.DeclareUnhealthy(); break;
        }
        return _health.IsHealthy;
    }

    private object? RequestClose(IReadOnlyList<object?> arguments)
    {
        Interlocked.Exchange(ref _closeRequested, 1);
        // Off the interpreter thread: cancelling runs the session's continuations, which must not hold the GIL.
        var session = _session;
        _ = Task.Run(() => session?.Cancel());
        return null;
    }
}

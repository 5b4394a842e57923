using System.Text.Json;
using EmbeddedPython.Vantiq.Connection;
using EmbeddedPython.Vantiq.Diagnostics;
using EmbeddedPython.Vantiq.Hosting;
using EmbeddedPython.Vantiq.Protocol;
using Microsoft.Extensions.Logging;

namespace EmbeddedPython.Vantiq.Execution;

/// <summary>
/// The Python half of one source (<c>python-stdlib/embedded_python_vantiq</c>), reached through the call API:
/// each session's <c>connector_connection</c> is made by <c>configure</c> and kept as a handle, and the
/// callbacks below are how that object sends frames, declares health and asks for a reconnect. The callbacks
/// outlive a session: a reply made while the socket is down waits in the outgoing queue for the next one.
/// </summary>
internal sealed class PythonConnection
{
    public const string Module = "embedded_python_vantiq";

    private readonly string _source;
    private readonly OpenQueries _open;
    private readonly OutgoingQueue _outgoing;
    private readonly HealthProbe _health;
    private readonly Action _requestClose;
    private readonly ILogger _logger;
    private readonly string _full;
    private readonly Func<string, bool, byte[], string?> _send;
    private readonly Func<string, string, string?> _sendError;
    private readonly Func<byte[], string?> _notify;
    private readonly Func<bool?, bool?> _declare;
    private readonly Action _close;

    public PythonConnection(string source, OpenQueries open, OutgoingQueue outgoing, int capacity, HealthProbe health, Action requestClose, ILogger logger)
    {
        _source = source;
        _open = open;
        _outgoing = outgoing;
        _health = health;
        _requestClose = requestClose;
        _logger = logger;
        _full = $"The outgoing queue of source {source} is full ({capacity} frames); the frame was not sent.";
        // One delegate each for the whole run: the Python side gets the same callables in every session.
        _send = Send;
        _sendError = SendError;
        _notify = Notify;
        _declare = Declare;
        _close = Close;
    }

    /// <summary>A session received configureExtension: a fresh <c>connector_connection</c> (and so an empty code cache).</summary>
    public Task<PythonObject> ConfigureAsync(IPythonExecutor executor, JsonElement config, IReadOnlyDictionary<string, object?> serverConfig,
        CancellationToken cancellationToken) =>
        executor.CallAsync<PythonObject>(new PythonCall(Module, "configure")
        {
            Args = [_source, config, serverConfig, _send, _sendError, _notify, _declare, _close],
        }, cancellationToken);

    /// <summary>A response frame: 100 while the query is open, a final one only once. Null, or why it was refused.</summary>
    private string? Send(string address, bool final, byte[] frame)
    {
        if (!(final ? _open.TryClose(address) : _open.IsOpen(address)))
            return $"The query with reply address {address} was already answered or timed out.";
        return Queue(frame);
    }

    /// <summary>A final 400 with the error body the Python side made; its text parameters are bounded here.</summary>
    private string? SendError(string address, string body) =>
        _open.TryClose(address) ? Queue(OutgoingFrames.QueryResponse(400, address, body))
            : $"The query with reply address {address} was already answered or timed out.";

    private string? Notify(byte[] frame) => Queue(frame);

    private string? Queue(byte[] frame)
    {
        if (_outgoing.TryAdd(frame))
            return null;
        Telemetry.FrameDropped();
        Log.QueueFull(_logger, _source, frame.Length);
        return _full;
    }

    private bool? Declare(bool? healthy)
    {
        switch (healthy)
        {
            case true: _health.DeclareHealthy(); break;
            case false: _health.DeclareUnhealthy(); break;
        }
        return _health.IsHealthy;
    }

    private void Close() => _requestClose();
}

using System.Diagnostics;
using System.Text.Json;
using EmbeddedPython.Vantiq.Connection;
using EmbeddedPython.Vantiq.Diagnostics;
using EmbeddedPython.Vantiq.Documents;
using EmbeddedPython.Vantiq.Execution;
using EmbeddedPython.Vantiq.Protocol;
using Microsoft.Extensions.Logging;

namespace EmbeddedPython.Vantiq.Hosting;

/// <summary>
/// One source's connection for the whole run (Vantiq spec 1.3–1.7): sessions one after another, each a new
/// websocket (<see cref="Handshake"/>, then <see cref="Session"/>) with a fresh <c>connector_connection</c> on the
/// Python side (which empties the code cache, as the original does), and the reconnect state machine around them.
/// </summary>
internal sealed class SourceConnection
{
    private static readonly TimeSpan ShortSession = TimeSpan.FromSeconds(1);

    private readonly string _source;
    private readonly Uri _url;
    private readonly VantiqConnectorOptions _options;
    private readonly string _reconnectSecret;
    private readonly IPythonExecutor _executor;
    private readonly QueryRunner _runner;
    private readonly PythonConnection _python;
    private readonly IReadOnlyDictionary<string, object?> _serverConfig;
    private readonly ILogger _logger;
    private readonly OutgoingQueue _outgoing;
    private readonly ReconnectBackoff _backoff;
    private volatile Session? _session;

    public SourceConnection(string source, Uri url, VantiqConnectorOptions options, string reconnectSecret, IPythonExecutor executor,
        DocumentClient documents, HealthProbe health, IReadOnlyDictionary<string, object?> serverConfig, ILogger logger)
    {
        _source = source;
        _url = url;
        _options = options;
        _reconnectSecret = reconnectSecret;
        _executor = executor;
        _serverConfig = serverConfig;
        _logger = logger;
        _outgoing = new OutgoingQueue(options.OutgoingQueueCapacity, options.OutgoingFrameLifetime);
        _backoff = new ReconnectBackoff(options.ReconnectDelay, options.MaxReconnectDelay);
        var open = new OpenQueries();
        _runner = new QueryRunner(source, executor, options.QueryTimeout, open, documents, Send);
        _python = new PythonConnection(source, open, _outgoing, options.OutgoingQueueCapacity, health, () => _session?.RequestClose(), logger);
    }

    /// <summary>Connects and serves until <paramref name="stopping"/>; returns early only when
    /// failOnConnectionError is set and a connection failed (the exception is rethrown).</summary>
    public async Task RunAsync(CancellationToken stopping)
    {
        try
        {
            while (!stopping.IsCancellationRequested)
            {
                TimeSpan delay;
                try
                {
                    var started = Stopwatch.GetTimestamp();
                    var end = await RunSessionAsync(stopping).ConfigureAwait(false);
                    if (end == SessionEnd.Refused)
                        continue; // logged and delayed inside, where the status is known
                    Log.Reconnecting(_logger, _source, end == SessionEnd.ReconnectRequired ? "reconnect requested" : "the server closed the connection");
                    // At once, as the original; but a server that closes every session right away gets the back-off.
                    if (end == SessionEnd.ReconnectRequired || Stopwatch.GetElapsedTime(started) > ShortSession)
                        continue;
                    delay = _backoff.Failed();
                }
                catch (OperationCanceledException) when (stopping.IsCancellationRequested)
                {
                    break;
                }
                catch (Exception e) when (_options.FailOnConnectionError == true)
                {
                    Log.FailingFast(_logger, _source, e);
                    throw;
                }
                catch (VantiqAuthenticationException e)
                {
                    // Retried (the original exited), but at the longest delay: a wrong token rarely fixes itself soon.
                    _backoff.Failed();
                    Telemetry.ConnectionFailed();
                    delay = _options.MaxReconnectDelay;
                    Log.ConnectionFailed(_logger, _source, _backoff.Failures, delay, Reason(e));
                }
                catch (Exception e) when (!stopping.IsCancellationRequested)
                {
                    delay = _backoff.Failed();
                    Telemetry.ConnectionFailed();
                    Log.ConnectionFailed(_logger, _source, _backoff.Failures, delay, Reason(e));
                }
                await Task.Delay(delay, stopping).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
        }
        finally
        {
            await ReleaseAsync(_connection).ConfigureAwait(false);
        }
    }

    // The session's connector_connection. Queries still running keep the object they started with alive; the
    // handle is released when the next session has its own.
    private PythonObject? _connection;

    private async Task<SessionEnd> RunSessionAsync(CancellationToken stopping)
    {
        using var socket = new FrameSocket(_options, _logger, _source);
        JsonElement config;
        using (var handshake = CancellationTokenSource.CreateLinkedTokenSource(stopping))
        {
            handshake.CancelAfter(_options.HandshakeTimeout);
            try
            {
                var (found, refusedDelay) = await Handshake.RunAsync(socket, _url, _options.AuthToken, _source, _reconnectSecret, _backoff, _logger,
                    handshake.Token).ConfigureAwait(false);
                if (found is null)
                {
                    await Task.Delay(refusedDelay, stopping).ConfigureAwait(false);
                    return SessionEnd.Refused;
                }
                config = found.Value;
            }
            catch (OperationCanceledException e) when (!stopping.IsCancellationRequested)
            {
                throw new TimeoutException($"The server did not complete the handshake within {_options.HandshakeTimeout}.", e);
            }
        }

        var previous = _connection;
        _connection = await _python.ConfigureAsync(_executor, config, _serverConfig, stopping).ConfigureAwait(false);
        await ReleaseAsync(previous).ConfigureAwait(false);
        Telemetry.SessionStarted();
        _backoff.Succeeded();
        Log.Connected(_logger, _source, _url);

        var session = new Session(socket, _connection, _runner, _outgoing, _logger, _source, stopping);
        _session = session;
        try
        {
            return await session.RunAsync(stopping).ConfigureAwait(false);
        }
        finally
        {
            _session = null;
        }
    }

    private static async Task ReleaseAsync(PythonObject? connection)
    {
        if (connection is not null)
            await connection.DisposeAsync().ConfigureAwait(false);
    }

    private void Send(byte[] frame)
    {
        if (_outgoing.TryAdd(frame))
            return;
        Telemetry.FrameDropped();
        Log.QueueFull(_logger, _source, frame.Length);
    }

    private static string Reason(Exception e) => e.InnerException is { } inner ? $"{e.Message} ({inner.Message})" : e.Message;
}

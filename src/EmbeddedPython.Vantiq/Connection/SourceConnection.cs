using System.Diagnostics;
using EmbeddedPython.Vantiq.Diagnostics;
using EmbeddedPython.Vantiq.Documents;
using EmbeddedPython.Vantiq.Execution;
using EmbeddedPython.Vantiq.Hosting;
using Microsoft.Extensions.Logging;

namespace EmbeddedPython.Vantiq.Connection;

/// <summary>
/// One source's websocket (Vantiq spec 1.3–1.7): validate, connectExtension, configureExtension, then
/// queries dispatched to <see cref="QueryRunner"/> without blocking the reads, and the reconnect state
/// machine around it. One instance lives for the whole run; each session (socket) reconfigures the
/// Python side, which empties the code cache as the original does.
/// </summary>
/// <remarks>This file: state and the reconnect loop. The session (handshake, dispatch) is in
/// SourceConnection.Session.cs, the callbacks of the Python side in SourceConnection.Python.cs, reading
/// frames in SourceConnection.Frames.cs.</remarks>
internal sealed partial class SourceConnection
{
    private const string ReplyHeader = "REPLY_ADDR_HEADER";
    private const int MaxStatusMessagesBeforeConfigure = 10;
    private static readonly TimeSpan ShortSession = TimeSpan.FromSeconds(1);

    private readonly string _source;
    private readonly Uri _url;
    private readonly VantiqConnectorOptions _options;
    private readonly string _reconnectSecret;
    private readonly IPythonExecutor _executor;
    private readonly QueryRunner _runner;
    private readonly DocumentClient _documents;
    private readonly HealthProbe _health;
    private readonly IReadOnlyDictionary<string, object?> _serverConfig;
    private readonly ILogger _logger;
    private readonly OutgoingQueue _outgoing;
    private readonly ReconnectBackoff _backoff;
    private readonly string _connectionId;
    private readonly OpenQueries _openQueries = new();
    private volatile CancellationTokenSource? _session;
    private int _closeRequested;

    public SourceConnection(string source, Uri url, VantiqConnectorOptions options, string reconnectSecret, IPythonExecutor executor,
        DocumentClient documents, HealthProbe health, IReadOnlyDictionary<string, object?> serverConfig, ILogger logger)
    {
        _source = source;
        _url = url;
        _options = options;
        _reconnectSecret = reconnectSecret;
        _executor = executor;
        _runner = new QueryRunner(source, executor, options.QueryTimeout, _openQueries);
        _documents = documents;
        _health = health;
        _serverConfig = serverConfig;
        _logger = logger;
        _outgoing = new OutgoingQueue(options.OutgoingQueueCapacity, options.OutgoingFrameLifetime);
        _backoff = new ReconnectBackoff(options.ReconnectDelay, options.MaxReconnectDelay);
        // The Python side keys its per-connection state (code cache) by this; the core's cache is shared by all.
        _connectionId = source + "#" + Guid.NewGuid().ToString("N");
    }

    private enum SessionEnd { ServerClosed, ReconnectRequired, Refused }

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
            await ForgetPythonStateAsync().ConfigureAwait(false);
        }
    }

    private static string Reason(Exception e) => e.InnerException is { } inner ? $"{e.Message} ({inner.Message})" : e.Message;
}

using System.Diagnostics;
using System.Text.Json;
using EmbeddedPython.Vantiq.Diagnostics;
using EmbeddedPython.Vantiq.Documents;
using EmbeddedPython.Vantiq.Protocol;

namespace EmbeddedPython.Vantiq.Execution;

/// <summary>Answers one query: calls <c>embedded_python_vantiq.run_query</c> with the session's connection,
/// fetches its document when it names one, and turns every outcome into reply frames. Every query with a
/// reply address gets a final frame, also on timeouts and on code that never answers.</summary>
internal sealed class QueryRunner
{
    private const string Prefix = "io.vantiq.pyexecsource.";
    // What run_query returns besides null (embedded_python_vantiq.NEED_DOCUMENT, NEED_CONTENT, UNANSWERED).
    private const string NeedDocument = "document", NeedContent = "content", Unanswered = "unanswered";

    private readonly IPythonExecutor _executor;
    private readonly TimeSpan _timeout;
    private readonly OpenQueries _open;
    private readonly string _source;
    private readonly DocumentClient _documents;
    private readonly Action<byte[]> _queue;

    /// <param name="source">The source's name, for telemetry.</param>
    /// <param name="executor">Runs the Python side.</param>
    /// <param name="timeout">The time limit of a query.</param>
    /// <param name="open">The connection's unanswered queries.</param>
    /// <param name="documents">Fetches documents for <c>script</c>.</param>
    /// <param name="queue">Queues a frame for the server.</param>
    public QueryRunner(string source, IPythonExecutor executor, TimeSpan timeout, OpenQueries open, DocumentClient documents, Action<byte[]> queue)
    {
        _source = source;
        _executor = executor;
        _timeout = timeout;
        _open = open;
        _documents = documents;
        _queue = queue;
    }

    /// <param name="connection">The session's <c>connector_connection</c>.</param>
    /// <param name="query">The WITH object (UTF-8 JSON), or null when the frame had none.</param>
    /// <param name="replyAddress">Where the replies go.</param>
    /// <param name="stopping">Cancelled when the connector stops.</param>
    public async Task RunAsync(PythonObject connection, byte[]? query, string replyAddress, CancellationToken stopping)
    {
        // Frames made here are final; the code's own frames go out through the connection's callbacks.
        void send(byte[] frame)
        {
            if (_open.TryClose(replyAddress))
                _queue(frame);
        }
        _open.Open(replyAddress);
        Telemetry.QueryStarted(_source);
        using var activity = Telemetry.Source.HasListeners() ? Telemetry.Source.StartActivity("vantiq.query") : null;
        activity?.SetTag("vantiq.source", _source);
        var started = Stopwatch.GetTimestamp();
        Dictionary<string, object?>? document = null;
        var fetchSeconds = 0.0;
        try
        {
            DocumentInfo? info = null;
            while (true)
            {
                var remaining = _timeout - Stopwatch.GetElapsedTime(started);
                if (remaining <= TimeSpan.Zero)
                    throw new PythonTimeoutException("The query did not finish within its time limit.");
                var call = new PythonCall(PythonConnection.Module, "run_query")
                {
                    Args = [connection, query, replyAddress, document, fetchSeconds],
                    Timeout = remaining,
                };
                // null: the final frame went out; else what to fetch first and for which document, or why the
                // Python side answered the query itself.
                if (await _executor.CallValueAsync<string[]?>(call, stopping).ConfigureAwait(false) is not [var need, var script])
                    return;
                if (need == Unanswered)
                {
                    Telemetry.Unanswered(script);
                    return;
                }
                if (need != NeedDocument && need != NeedContent)
                    throw new InvalidOperationException($"{PythonConnection.Module}.run_query returned [{need}, {script}].");

                var fetchStarted = Stopwatch.GetTimestamp();
                using var fetchTime = new CancellationTokenSource(remaining);
                using var linked = CancellationTokenSource.CreateLinkedTokenSource(fetchTime.Token, stopping);
                if (need == NeedDocument)
                {
                    var (found, error) = await _documents.GetInfoAsync(script, linked.Token).ConfigureAwait(false);
                    if (error is not null)
                    {
                        send(OutgoingFrames.QueryError(replyAddress, error.Code, error.Message, error.Parameters));
                        return;
                    }
                    info = found!;
                    if (info.IsIncomplete)
                    {
                        send(OutgoingFrames.QueryError(replyAddress, Prefix + "docincomplete", "Document {0} is incomplete and cannot be used.", script));
                        return;
                    }
                    if (info.ContentSize <= 0)
                    {
                        send(OutgoingFrames.QueryError(replyAddress, Prefix + "doclength", "Document {0} has an invalid length.", script, info.ContentSize));
                        return;
                    }
                    document = new Dictionary<string, object?> { ["modified"] = info.Modified, ["content"] = null };
                }
                else
                {
                    if (info?.Content is not { } location)
                    {
                        send(OutgoingFrames.QueryError(replyAddress, Prefix + "doccontent.empty", "Document content for {0} was empty.", script));
                        return;
                    }
                    var (content, error) = await _documents.GetContentAsync(location, linked.Token).ConfigureAwait(false);
                    if (error is not null)
                    {
                        send(OutgoingFrames.QueryError(replyAddress, error.Code, error.Message, error.Parameters));
                        return;
                    }
                    document = new Dictionary<string, object?> { ["modified"] = info.Modified, ["content"] = content };
                }
                fetchSeconds += Stopwatch.GetElapsedTime(fetchStarted).TotalSeconds;
            }
        }
        catch (PythonTimeoutException)
        {
            Telemetry.Unanswered("timeout");
            send(OutgoingFrames.QueryError(replyAddress, Prefix + "execution.timeout",
                "The query did not finish within the connector's time limit of {0} seconds.", _timeout.TotalSeconds));
        }
        catch (OperationCanceledException) when (!stopping.IsCancellationRequested)
        {
            // A document request ran into the query's time limit.
            Telemetry.Unanswered("timeout");
            send(OutgoingFrames.QueryError(replyAddress, Prefix + "execution.timeout",
                "The query did not finish within the connector's time limit of {0} seconds.", _timeout.TotalSeconds));
        }
        catch (PythonException e)
        {
            send(OutgoingFrames.QueryError(replyAddress, Prefix + "runpython.exception",
                "Executing python code in connector resulted in an exception: {0} :: {1}", e.PythonType, ErrorText.Bound(e.PythonTraceback ?? e.Message)));
        }
        catch (Exception e) when (e is HttpRequestException or ArgumentException or InvalidOperationException or ObjectDisposedException or JsonException)
        {
            send(OutgoingFrames.QueryError(replyAddress, Prefix + "runpython.exception",
                "Executing python code in connector resulted in an exception: {0} :: {1}", e.GetType().Name, ErrorText.Bound(e.Message)));
        }
        finally
        {
            _open.TryClose(replyAddress);
            Telemetry.QueryEnded(_source, started);
        }
    }
}

using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using EmbeddedPython.Vantiq.Diagnostics;
using EmbeddedPython.Vantiq.Documents;
using EmbeddedPython.Vantiq.Protocol;

namespace EmbeddedPython.Vantiq.Execution;

/// <summary>Answers one query: runs it through <c>embedded_python_vantiq.run_query</c> on the executor,
/// fetches its document when it names one, and turns every outcome into reply frames. Every query with a
/// reply address gets a final frame, also on timeouts and on code that never answers.</summary>
internal sealed class QueryRunner
{
    private const string Prefix = "io.vantiq.pyexecsource.";

    private readonly IPythonExecutor _executor;
    private readonly TimeSpan _timeout;
    private readonly OpenQueries _open;
    private readonly string _source;

    public QueryRunner(string source, IPythonExecutor executor, TimeSpan timeout, OpenQueries open)
    {
        _source = source;
        _executor = executor;
        _timeout = timeout;
        _open = open;
    }

    /// <param name="connectionId">Key of the connection's state on the Python side.</param>
    /// <param name="query">The WITH object, or null when the frame had none.</param>
    /// <param name="replyAddress">Where the replies go.</param>
    /// <param name="documents">Fetches documents for <c>script</c>.</param>
    /// <param name="queue">Queues a frame for the server.</param>
    /// <param name="stopping">Cancelled when the connector stops.</param>
    public async Task RunAsync(string connectionId, JsonElement? query, string replyAddress, DocumentClient documents,
        Action<byte[]> queue, CancellationToken stopping)
    {
        // Frames made here are final; the code's own frames go out through the connection's reply callback.
        void send(byte[] frame)
        {
            if (_open.TryClose(replyAddress))
                queue(frame);
        }
        _open.Open(replyAddress);
        Telemetry.QueryStarted(_source);
        using var activity = Telemetry.Source.HasListeners() ? Telemetry.Source.StartActivity("vantiq.query") : null;
        activity?.SetTag("vantiq.source", _source);
        var started = Stopwatch.GetTimestamp();
        var arguments = new Dictionary<string, object?>
        {
            ["connection"] = connectionId,
            ["query"] = query,
            ["address"] = replyAddress,
        };
        try
        {
            string? script = null;
            DocumentInfo? info = null;
            while (true)
            {
                var remaining = _timeout - Stopwatch.GetElapsedTime(started);
                if (remaining <= TimeSpan.Zero)
                    throw new PythonTimeoutException("The query did not finish within its time limit.");
                var request = new PythonRequest
                {
                    Name = PythonSide.RunName,
                    Code = PythonSide.RunCode,
                    CodeHandlesReturn = true,
                    PresetValues = new Dictionary<string, object?> { ["_vq_args"] = arguments },
                    Timeout = remaining,
                };
                int? need = null;
                await foreach (var message in _executor.StreamAsync(request, stopping).ConfigureAwait(false))
                {
                    var (status, body) = Decode(message.Value);
                    if (status is PythonSide.NeedDocument or PythonSide.NeedContent)
                    {
                        need = status;
                        script = body;
                    }
                }
                if (need is null)
                    return;

                var fetchStarted = Stopwatch.GetTimestamp();
                using var fetchTime = new CancellationTokenSource(remaining);
                using var linked = CancellationTokenSource.CreateLinkedTokenSource(fetchTime.Token, stopping);
                if (need == PythonSide.NeedDocument)
                {
                    var (found, error) = await documents.GetInfoAsync(script!, linked.Token).ConfigureAwait(false);
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
                    arguments["document"] = new Dictionary<string, object?> { ["modified"] = info.Modified, ["content"] = null };
                }
                else
                {
                    if (info?.Content is not { } location)
                    {
                        send(OutgoingFrames.QueryError(replyAddress, Prefix + "doccontent.empty", "Document content for {0} was empty.", script));
                        return;
                    }
                    var (content, error) = await documents.GetContentAsync(location, linked.Token).ConfigureAwait(false);
                    if (error is not null)
                    {
                        send(OutgoingFrames.QueryError(replyAddress, error.Code, error.Message, error.Parameters));
                        return;
                    }
                    arguments["document"] = new Dictionary<string, object?> { ["modified"] = info.Modified, ["content"] = content };
                }
                arguments["fetchSeconds"] = (double)arguments.GetValueOrDefault("fetchSeconds", 0.0)! + Stopwatch.GetElapsedTime(fetchStarted).TotalSeconds;
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
        catch (PythonFailedException)
        {
            // The host reports the end of the code's tasks from the same loop turn in which a task that raised
            // reports its exception; one more request through the FIFO queue lets that report win.
            await BarrierAsync().ConfigureAwait(false);
            Telemetry.Unanswered("noresponse");
            send(OutgoingFrames.QueryError(replyAddress, Prefix + "execution.noresponse",
                "The code handles its own return, but it and the tasks it started ended without sending a final response.", []));
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

    private async Task BarrierAsync()
    {
        try
        {
            await _executor.ExecuteAsync(new PythonRequest { Name = PythonSide.BarrierName, Code = PythonSide.BarrierCode }).ConfigureAwait(false);
        }
        catch (Exception e) when (e is PythonException or TimeoutException or ObjectDisposedException or OperationCanceledException)
        {
            // Nothing to wait for any more.
        }
    }

    /// <summary>The Python side sends [status, body JSON or null].</summary>
    private static (int Status, string? Body) Decode(object? value)
    {
        if (value is IReadOnlyList<object?> { Count: 2 } pair && pair[0] is long status)
            return ((int)status, pair[1] as string);
        throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture, $"Unexpected message from embedded_python_vantiq: {value}"));
    }
}

using System.Diagnostics;
using System.Threading.Channels;
using EmbeddedPython.Grpc.V1;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.Extensions.Logging;
using Service = EmbeddedPython.Grpc.V1.PythonExecutor;

namespace EmbeddedPython.Grpc.Executor;

/// <summary><c>embeddedpython.executor.v1.PythonExecutor</c>: each call is one executor request. The call's
/// cancellation token (client cancel, deadline, lost connection) reaches the executor, which drops a queued
/// request and interrupts a running one.</summary>
internal sealed partial class PythonExecutorService(
    IPythonExecutor executor,
    RequestTranslator translator,
    ExecutorServiceState state,
    CallHandler calls,
    ILogger<PythonExecutorService> logger) : Service.PythonExecutorBase
{
    private readonly CallHandler _calls = calls;

    public override async Task<ExecuteResponse> Execute(ExecuteRequest request, ServerCallContext context)
    {
        var started = Stopwatch.GetTimestamp();
        using var running = state.Enter();
        try
        {
            var translated = translator.Translate(request, context);
            await CallHandler.CommitAsync(context);
            if (translated.Request.CodeHandlesReturn)
            {
                var response = NewResponse(request);
                var partials = new List<string>();
                await foreach (var message in executor.StreamAsync(translated.Request, context.CancellationToken))
                {
                    var json = JsonValues.Write(message.Value, out _);
                    if (message.IsFinal)
                        response.ResultsJson = json;
                    else
                        partials.Add(json);
                }
                response.PartialResultsJson.Add(partials);
                response.Elapsed = Duration.FromTimeSpan(Stopwatch.GetElapsedTime(started));
                CountCall(StatusCode.OK);
                return response;
            }
            var result = await executor.ExecuteAsync(translated.Request, context.CancellationToken);
            var completed = Completed(request, translated, result, started);
            CountCall(StatusCode.OK);
            return completed;
        }
        catch (Exception e)
        {
            throw Fail(e, request.RequestId, context);
        }
    }

    public override async Task ExecuteStream(ExecuteRequest request, IServerStreamWriter<ExecuteEvent> responseStream, ServerCallContext context)
    {
        var started = Stopwatch.GetTimestamp();
        ulong seq = 0;
        using var running = state.Enter();
        try
        {
            var translated = translator.Translate(request, context);
            await CallHandler.CommitAsync(context);
            // Output lines, partial results and the final result reach the client in the order they happen:
            // the request's live output and its results meet in one channel, written out here.
            var events = Channel.CreateUnbounded<ExecuteEvent>(new UnboundedChannelOptions { SingleReader = true });
            var pythonRequest = request.CaptureOutput
                ? translated.Request with { OutputReceived = text => events.Writer.TryWrite(new ExecuteEvent { Output = new Output { Stream = Output.Types.Stream.Stdout, Text = text } }) }
                : translated.Request;
            var producing = ProduceEventsAsync(request, translated, pythonRequest, events.Writer, started, context.CancellationToken);
            await foreach (var item in events.Reader.ReadAllAsync(context.CancellationToken))
            {
                item.Seq = ++seq;
                await responseStream.WriteAsync(item, context.CancellationToken);
            }
            await producing;
            CountCall(StatusCode.OK);
        }
        catch (Exception e)
        {
            throw Fail(e, request.RequestId, context);
        }
    }

    /// <summary>Runs the request and writes its partial results and its completion; completes the channel
    /// with the request's exception when it fails.</summary>
    private async Task ProduceEventsAsync(ExecuteRequest request, TranslatedRequest translated, PythonRequest pythonRequest,
        ChannelWriter<ExecuteEvent> events, long started, CancellationToken cancellationToken)
    {
        try
        {
            if (pythonRequest.CodeHandlesReturn)
            {
                await foreach (var message in executor.StreamAsync(pythonRequest, cancellationToken))
                {
                    var json = JsonValues.Write(message.Value, out _);
                    if (message.IsFinal)
                    {
                        var final = NewResponse(request);
                        final.ResultsJson = json;
                        final.Elapsed = Duration.FromTimeSpan(Stopwatch.GetElapsedTime(started));
                        events.TryWrite(new ExecuteEvent { Completed = final });
                    }
                    else
                    {
                        events.TryWrite(new ExecuteEvent { Partial = new Partial { ResultsJson = json } });
                    }
                }
            }
            else
            {
                var result = await executor.ExecuteAsync(pythonRequest, cancellationToken);
                events.TryWrite(new ExecuteEvent { Completed = Completed(request, translated, result, started) });
            }
            events.TryComplete();
        }
        catch (Exception e)
        {
            events.TryComplete(e);
        }
    }

    public override async Task<HealthResponse> Health(HealthRequest request, ServerCallContext context)
    {
        var (status, version, queueLength) = await state.InterpreterAsync(context.CancellationToken);
        return new HealthResponse
        {
            Status = status,
            PythonVersion = version,
            QueueLength = queueLength,
            Running = (uint)state.Running,
            Uptime = Duration.FromTimeSpan(state.Uptime),
        };
    }

    private static ExecuteResponse Completed(ExecuteRequest request, TranslatedRequest translated, PythonResult result, long started)
    {
        var response = NewResponse(request);
        if (translated.IsEntryPoint)
        {
            var outcome = result.Values.GetValueOrDefault(RequestTranslator.EntryOutcome) as IReadOnlyDictionary<string, object?>
                ?? throw new RpcException(new Status(StatusCode.Internal, "the entry point's outcome did not come back"));
            if (outcome.TryGetValue("missing", out var missing))
                throw new RpcException(new Status(StatusCode.NotFound, ErrorStatus.Bounded(missing as string ?? "entry function not found")));
            response.ResultsJson = JsonValues.Write(outcome.GetValueOrDefault("result"), out var lossy);
            if (lossy || !outcome.ContainsKey("result"))
                response.LossyReturnNames.Add("result");
        }
        else
        {
            var lossyNames = new List<string>();
            response.ResultsJson = JsonValues.WriteObject(result.Values, lossyNames);
            response.LossyReturnNames.Add(lossyNames);
            response.MissingReturnNames.Add(translated.ReturnNames.Where(n => !result.Values.ContainsKey(n)));
        }
        if (request.CaptureOutput)
            response.Stdout = result.Output;
        response.Elapsed = Duration.FromTimeSpan(Stopwatch.GetElapsedTime(started));
        return response;
    }

    private static void CountCall(StatusCode code) =>
        Telemetry.ExecutorCalls.Add(1, new KeyValuePair<string, object?>("rpc.grpc.status_code", code.ToString()));

    private static ExecuteResponse NewResponse(ExecuteRequest request) => new() { RequestId = request.RequestId };

    private RpcException Fail(Exception exception, string requestId, ServerCallContext context)
    {
        var rpc = ErrorStatus.From(exception, context, requestId);
        CountCall(rpc.StatusCode);
        if (rpc.StatusCode == StatusCode.Internal)
            LogInternalError(exception, requestId);
        else
            LogCallFailed(requestId, rpc.StatusCode, rpc.Status.Detail);
        return rpc;
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Request '{RequestId}' ended with {Code}: {Detail}")]
    private partial void LogCallFailed(string requestId, StatusCode code, string detail);

    [LoggerMessage(Level = LogLevel.Error, Message = "Request '{RequestId}' failed inside the host")]
    private partial void LogInternalError(Exception exception, string requestId);
}

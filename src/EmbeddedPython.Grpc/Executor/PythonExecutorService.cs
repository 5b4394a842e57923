using System.Text;
using System.Diagnostics;
using System.Threading.Channels;
using EmbeddedPython.Grpc.Diagnostics;
using EmbeddedPython.Grpc.Hosting;
using EmbeddedPython.Grpc.Protocol;
using EmbeddedPython.Grpc.Security;
using EmbeddedPython.Grpc.V1;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.Extensions.Logging;
using Service = EmbeddedPython.Grpc.V1.PythonExecutor;

namespace EmbeddedPython.Grpc.Executor;

/// <summary><c>embeddedpython.executor.v1.PythonExecutor</c>: each call is one executor request (an entry point
/// one call of the call API). The call's cancellation token (client cancel, deadline, lost connection) reaches
/// the executor, which drops a queued request and interrupts a running one.</summary>
[RunsPython]
internal sealed partial class PythonExecutorService(
    IPythonExecutor executor,
    RequestTranslator translator,
    ExecutorServiceState state,
    InterpreterHealth health,
    CallHandler calls,
    ILogger<PythonExecutorService> logger) : Service.PythonExecutorBase
{
    // What an entry file without the function raises (python-stdlib/embedded_python/modules.py).
    private const string LoadError = "embedded_python.modules.LoadError";
    private readonly CallHandler _calls = calls;

    public override async Task<ExecuteResponse> Execute(ExecuteRequest request, ServerCallContext context)
    {
        var started = Stopwatch.GetTimestamp();
        using var running = state.Enter();
        try
        {
            var translated = translator.Translate(request, context);
            await CallHandler.CommitAsync(context);
            ExecuteResponse response;
            if (translated.EntryPoint is { } entryPoint)
                response = await CallEntryPointAsync(request, entryPoint, context.CancellationToken);
            else if (translated.Request!.CodeHandlesReturn)
                response = await StreamedAsync(request, translated.Request, static (r, json) => r.PartialResultsJson.Add(json), context.CancellationToken);
            else
                response = Completed(request, translated, await executor.ExecuteValueAsync(translated.Request, context.CancellationToken));
            response.Elapsed = Duration.FromTimeSpan(Stopwatch.GetElapsedTime(started));
            CountCall(StatusCode.OK);
            return response;
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
            if (request.CaptureOutput)
            {
                Action<string> live = text => events.Writer.TryWrite(new ExecuteEvent { Output = new Output { Stream = Output.Types.Stream.Stdout, Text = text } });
                translated = translated.Request is { } capturing ? translated with { Request = capturing with { OutputReceived = live } }
                    : translated with { EntryPoint = translated.EntryPoint! with { OutputReceived = live } };
            }
            var producing = ProduceEventsAsync(request, translated, events.Writer, started, context.CancellationToken);
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
    private async Task ProduceEventsAsync(ExecuteRequest request, TranslatedRequest translated,
        ChannelWriter<ExecuteEvent> events, long started, CancellationToken cancellationToken)
    {
        try
        {
            ExecuteResponse final;
            if (translated.EntryPoint is { } entryPoint)
            {
                final = await CallEntryPointAsync(request, entryPoint, cancellationToken);
            }
            else if (translated.Request!.CodeHandlesReturn)
            {
                final = await StreamedAsync(request, translated.Request,
                    (_, json) => events.TryWrite(new ExecuteEvent { Partial = new Partial { ResultsJson = json } }), cancellationToken);
            }
            else
            {
                final = Completed(request, translated, await executor.ExecuteValueAsync(translated.Request, cancellationToken));
            }
            final.Elapsed = Duration.FromTimeSpan(Stopwatch.GetElapsedTime(started));
            events.TryWrite(new ExecuteEvent { Completed = final });
            events.TryComplete();
        }
        catch (Exception e)
        {
            events.TryComplete(e);
        }
    }

    public override async Task<HealthResponse> Health(HealthRequest request, ServerCallContext context)
    {
        var (status, version, queueLength) = await health.CheckAsync(context.CancellationToken);
        return new HealthResponse
        {
            Status = status,
            PythonVersion = version,
            QueueLength = queueLength,
            Running = (uint)state.Running,
            Uptime = Duration.FromTimeSpan(state.Uptime),
        };
    }

    /// <summary>A request whose code sends its own results: the partial ones go to <paramref name="partial"/>,
    /// the final one into the response.</summary>
    private async Task<ExecuteResponse> StreamedAsync(ExecuteRequest request, PythonRequest python,
        Action<ExecuteResponse, string> partial, CancellationToken cancellationToken)
    {
        var response = NewResponse(request);
        await foreach (var message in executor.StreamAsync(python, cancellationToken))
        {
            var json = JsonValues.Write(message.Value, out _);
            if (message.IsFinal)
                response.ResultsJson = json;
            else
                partial(response, json);
        }
        return response;
    }

    /// <summary>Calls the entry function; its return value is the result (<c>null</c> and lossy when it has no
    /// .NET form), and a file without the function is NOT_FOUND.</summary>
    private async Task<ExecuteResponse> CallEntryPointAsync(ExecuteRequest request, PythonCall call, CancellationToken cancellationToken)
    {
        var response = NewResponse(request);
        // A unary call with capture_output gets the entry point's printed text in stdout (a stream sends it live).
        var printed = request.CaptureOutput && call.OutputReceived is null ? new StringBuilder() : null;
        if (printed is not null)
            call = call with { OutputReceived = text => printed.Append(text) };
        object? result;
        try
        {
            result = await executor.CallValueAsync<object?>(call, cancellationToken);
        }
        catch (PythonException e) when (e.PythonType == LoadError)
        {
            throw new RpcException(new Status(StatusCode.NotFound, ErrorStatus.Bounded(e.Message)));
        }
        catch (PythonConversionException)
        {
            response.ResultsJson = "null";
            response.LossyReturnNames.Add("result");
            response.Stdout = printed?.ToString() ?? "";
            return response;
        }
        response.ResultsJson = JsonValues.Write(result, out var lossy);
        if (lossy)
            response.LossyReturnNames.Add("result");
        if (printed is not null)
            response.Stdout = printed.ToString();
        return response;
    }

    private static ExecuteResponse Completed(ExecuteRequest request, TranslatedRequest translated, PythonResult result)
    {
        var response = NewResponse(request);
        response.ResultsJson = JsonValues.WriteObject(result.Values, response.LossyReturnNames);
        foreach (var name in translated.ReturnNames)
        {
            if (!result.Values.ContainsKey(name))
                response.MissingReturnNames.Add(name);
        }
        if (request.CaptureOutput)
            response.Stdout = result.Output;
        return response;
    }

    // One tag per status, made once: the counter is bumped on every call.
    private static readonly KeyValuePair<string, object?>[] StatusTags = [.. Enumerable.Range(0, (int)StatusCode.Unauthenticated + 1)
        .Select(code => new KeyValuePair<string, object?>("rpc.grpc.status_code", ((StatusCode)code).ToString()))];

    private static void CountCall(StatusCode code)
    {
        if (Telemetry.ExecutorCalls.Enabled)
            Telemetry.ExecutorCalls.Add(1, (uint)code < StatusTags.Length ? StatusTags[(int)code] : new("rpc.grpc.status_code", code.ToString()));
    }

    private static ExecuteResponse NewResponse(ExecuteRequest request) => new() { RequestId = request.RequestId };

    private RpcException Fail(Exception exception, string requestId, ServerCallContext context)
    {
        var rpc = ErrorStatus.From(exception, context, requestId);
        CountCall(rpc.StatusCode);
        if (rpc.StatusCode == StatusCode.Internal)
            logger.InternalError(exception, requestId);
        else
            logger.CallFailed(requestId, rpc.StatusCode, rpc.Status.Detail);
        return rpc;
    }
}

using System.Diagnostics;
using System.Text.Json;
using EmbeddedPython.Grpc.Protocol;
using EmbeddedPython.Grpc.V1;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;

namespace EmbeddedPython.Grpc.Executor;

/// <summary>Serves <c>Call</c> and <c>StreamCall</c>: checks the request, sends the response headers (the call is
/// committed, see <see cref="CommitAsync"/>), then calls through the executor's call API. Results
/// are converted the untyped way (DESIGN §4) and sent as JSON; the client converts them to its own type.</summary>
internal sealed class CallHandler(IPythonExecutor executor, RequestTranslator translator, ExecutorServiceState state)
{
    /// <summary>The trailer naming where a result had no .NET form; the client rethrows a
    /// <see cref="PythonConversionException"/> with that path.</summary>
    public const string ConversionPathTrailer = "python-conversion-path";

    /// <summary>The response header that says this server took the request (sent before any Python runs).</summary>
    public const string AcceptedHeader = "python-accepted";

    /// <summary>Sends the response headers, <see cref="AcceptedHeader"/> among them, before any Python runs. A gRPC
    /// client commits a call once it has headers and never retries it after that, so a request that reached Python
    /// is never run twice by a retry policy, whatever happens to this server while it runs.</summary>
    public static Task CommitAsync(ServerCallContext context) => context.WriteResponseHeadersAsync(new Metadata { { AcceptedHeader, "1" } });

    public async Task<CallResponse> CallAsync(CallRequest request, ServerCallContext context)
    {
        var started = Stopwatch.GetTimestamp();
        using var running = state.Enter();
        var call = Translate(request, context);
        await CommitAsync(context);
        var result = await Converted(() => executor.CallValueAsync<object?>(call, context.CancellationToken).AsTask());
        return new CallResponse
        {
            RequestId = request.RequestId,
            ResultJson = JsonValues.Write(result, out _),
            Elapsed = Duration.FromTimeSpan(Stopwatch.GetElapsedTime(started)),
        };
    }

    public async Task StreamCallAsync(CallRequest request, IServerStreamWriter<CallItem> stream, ServerCallContext context)
    {
        using var running = state.Enter();
        var call = Translate(request, context);
        await CommitAsync(context);
        // A client that stops reading early and one that cancels look alike here (the stream is reset). Either way
        // the generator is closed at its next yield, so that its finally runs, and interrupted if it does not yield
        // within the grace a reader that stops early gets in process.
        using var interrupt = new CancellationTokenSource();
        using var left = context.CancellationToken.Register(() => interrupt.CancelAfter(ClosingGrace));
        var items = executor.StreamCallAsync<object?>(call, interrupt.Token).GetAsyncEnumerator(interrupt.Token);
        var moving = items.MoveNextAsync().AsTask();
        try
        {
            ulong seq = 0;
            // Each write waits for HTTP/2 flow control, so a slow reader holds the generator back.
            while (await Converted(() => moving.WaitAsync(context.CancellationToken)))
            {
                await stream.WriteAsync(new CallItem { Seq = ++seq, ItemJson = JsonValues.Write(items.Current, out _) }, context.CancellationToken);
                moving = items.MoveNextAsync().AsTask();
            }
        }
        finally
        {
            await moving.ContinueWith(static _ => { }, TaskScheduler.Default);
            await items.DisposeAsync();
        }
    }

    private static readonly TimeSpan ClosingGrace = TimeSpan.FromSeconds(1);

    private PythonCall Translate(CallRequest request, ServerCallContext context)
    {
        var args = request.ArgsJson.Length == 0 ? null : Parse(request.ArgsJson, "args_json", JsonValueKind.Array) as List<object?>;
        var kwargs = request.KwargsJson.Length == 0 ? null : Parse(request.KwargsJson, "kwargs_json", JsonValueKind.Object) as Dictionary<string, object?>;
        return new PythonCall(request.Module, request.Function)
        {
            Args = args,
            Kwargs = kwargs,
            Timeout = translator.EffectiveTimeout(request.Timeout, context),
            MemoryLimit = translator.EffectiveMemoryLimit(request.HasMemoryLimit ? request.MemoryLimit : null),
        };
    }

    private static object? Parse(string json, string field, JsonValueKind kind)
    {
        try
        {
            return JsonValues.Parse(json, field, kind);
        }
        catch (FormatException e)
        {
            throw RequestTranslator.Invalid(field, e.Message);
        }
    }

    // A result without a .NET form (a module, an arbitrary object) is the caller's to fix, not this server's fault.
    private static async Task<T> Converted<T>(Func<Task<T>> step)
    {
        try
        {
            return await step();
        }
        catch (PythonConversionException e)
        {
            var status = new Status(StatusCode.FailedPrecondition, ErrorStatus.Bounded(e.Message));
            throw new RpcException(status, new Metadata { { ConversionPathTrailer, ErrorStatus.Bounded(e.Path) } });
        }
    }
}

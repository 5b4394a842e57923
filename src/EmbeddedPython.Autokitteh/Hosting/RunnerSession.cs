using Autokitteh.UserCode.V1;
using EmbeddedPython.Autokitteh.Diagnostics;
using EmbeddedPython.Autokitteh.Protocol;
using Google.Protobuf;
using Grpc.Core;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using AkCustom = Autokitteh.Values.V1.Custom;
using AkValue = Autokitteh.Values.V1.Value;

namespace EmbeddedPython.Autokitteh.Hosting;

/// <summary>The one session a runner serves: <c>Start</c> loads the entry point and starts the handler on a
/// Python thread; its outcome becomes <c>Done</c>, sent once, after every print it made. Each step is a call
/// into the Python half (python-stdlib/embedded_python_autokitteh).</summary>
internal sealed class RunnerSession(
    IPythonExecutor executor,
    WorkerLink worker,
    Syscalls syscalls,
    LargeObjects largeObjects,
    RunnerExit exit,
    IOptions<AutokittehRunnerOptions> options,
    ILogger<RunnerSession> logger)
{
    private const string SessionModule = "embedded_python_autokitteh.session";
    private const string DurableModule = "embedded_python_autokitteh.durable";
    private const string ExportsModule = "embedded_python_autokitteh.exports";

    private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _startCalled;
    private int _doneSent;
    private System.Diagnostics.Activity? _sessionActivity;

    /// <summary>Completes when <c>Start</c> has been called (the start timer waits for it).</summary>
    public Task Started => _started.Task;

    private string CodeDirectory => Path.GetFullPath(options.Value.CodeDirectory);

    public async Task<ExportsResponse> ExportsAsync(string fileName, CancellationToken cancellationToken)
    {
        if (fileName.Length == 0)
            throw new RpcException(new Status(StatusCode.InvalidArgument, "missing file name"));
        if (!Path.GetFullPath(Path.Combine(CodeDirectory, fileName)).StartsWith(CodeDirectory + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            throw new RpcException(new Status(StatusCode.InvalidArgument, Bounded($"'{fileName}' is outside the code directory")));
        var listing = await executor.CallAsync<ExportListing>(new PythonCall(ExportsModule, "list_exports")
        {
            Args = [CodeDirectory, fileName],
        }, cancellationToken);
        if (listing.Error is { } error)
            throw new RpcException(new Status(StatusCode.InvalidArgument, Bounded(error)));
        var response = new ExportsResponse();
        foreach (var export in listing.Exports ?? [])
            response.Exports.Add(new Export { File = export.File, Line = (uint)export.Line, Name = export.Name, Args = { export.Args } });
        return response;
    }

    public async Task<StartResponse> StartAsync(StartRequest request, CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _startCalled, 1) != 0)
            return new StartResponse { Error = "start already called" };
        _started.TrySetResult();
        var entry = EntryPointName.Parse(request.EntryPoint, out var malformed);
        if (entry is null)
            throw LoadFailed(malformed!);
        var failure = await executor.CallAsync<string?>(new PythonCall(SessionModule, "load")
        {
            Args = [CodeDirectory, entry.File, entry.Function, request.IsDurable],
            Timeout = Timeout.InfiniteTimeSpan,
        }, cancellationToken);
        if (failure is not null)
            throw LoadFailed(failure);
        logger.SessionStarting(request.EntryPoint, request.IsDurable);
        _sessionActivity = Telemetry.Source.StartActivity("autokitteh session");
        _sessionActivity?.SetTag("autokitteh.entry_point", request.EntryPoint);
        _sessionActivity?.SetTag("autokitteh.durable", request.IsDurable);
        _ = RunAsync(request.Event?.Data.ToStringUtf8() ?? "");
        return new StartResponse();
    }

    private RpcException LoadFailed(string message)
    {
        // As autokitteh's runner: a session that cannot load is over.
        exit.Stop("the entry point could not be loaded", 1);
        return new RpcException(new Status(StatusCode.InvalidArgument, Bounded(message)));
    }

    private async Task RunAsync(string eventJson)
    {
        DoneRequest done;
        try
        {
            var outcome = await executor.CallAsync<SessionOutcome>(new PythonCall(SessionModule, "run")
            {
                Args =
                [
                    eventJson,
                    new Action<string>(Print),
                    new Func<string, List<object?>, Task<Dictionary<string, object?>>>(syscalls.InvokeAsync),
                    new Action<string, List<object?>, Dictionary<string, object?>>(SendActivity),
                    new Action<object?, byte[]>(SendExecuteReply),
                ],
                Timeout = Timeout.InfiniteTimeSpan,
            });
            done = Done(outcome);
        }
        catch (Exception e)
        {
            logger.SessionFailed(e);
            done = new DoneRequest { RunnerId = worker.RunnerId, Error = $"error: {e.GetType().Name}: {e.Message}" };
        }
        await SendDoneAsync(done);
    }

    /// <summary>Sends the session's one <c>Done</c> (the worker would panic on a second), then ends the runner.</summary>
    private async Task SendDoneAsync(DoneRequest done)
    {
        if (Interlocked.Exchange(ref _doneSent, 1) != 0)
            return;
        var outcome = done.Error.Length == 0 ? "ok" : "error";
        Telemetry.Sessions.Add(1, new KeyValuePair<string, object?>("outcome", outcome));
        _sessionActivity?.SetStatus(done.Error.Length == 0 ? System.Diagnostics.ActivityStatusCode.Ok : System.Diagnostics.ActivityStatusCode.Error);
        _sessionActivity?.Dispose();
        try
        {
            await worker.CallInOrder(async () => await worker.Client.DoneAsync(done));
        }
        catch (Exception e) when (e is RpcException or InvalidOperationException)
        {
            logger.SessionFailed(e);
        }
        if (options.Value.StopAfterDone)
            exit.Stop("the session is done", done.Error.Length == 0 ? 0 : 1);
    }

    /// <summary>The worker's <c>Execute</c>: runs the pending activity; its outcome goes out as <c>ExecuteReply</c>.</summary>
    public async Task<ExecuteResponse> ExecuteAsync(CancellationToken cancellationToken)
    {
        var error = await executor.CallAsync<string?>(new PythonCall(DurableModule, "execute"), cancellationToken);
        if (error is not null)
            throw new RpcException(new Status(StatusCode.Internal, Bounded(error)));
        return new ExecuteResponse();
    }

    /// <summary>The worker's <c>ActivityReply</c>: the pending call's outcome (from this run or replayed).
    /// A failure, or a reply without a result, ends the session with that error.</summary>
    public async Task<ActivityReplyResponse> ActivityReplyAsync(ActivityReplyRequest request, CancellationToken cancellationToken)
    {
        var data = request.Result?.Custom?.Data;
        if (request.Error.Length > 0 || data is null || data.IsEmpty)
        {
            var error = request.Error.Length > 0 ? request.Error : "ActivityReply without a result";
            await SendDoneAsync(new DoneRequest { RunnerId = worker.RunnerId, Error = error });
            await executor.CallAsync<object?>(new PythonCall(DurableModule, "abandon"), cancellationToken);
            return new ActivityReplyResponse { Error = error };
        }
        byte[] outcome;
        try
        {
            outcome = largeObjects.Resolve(data);
        }
        catch (Exception e) when (e is IOException or FormatException or UnauthorizedAccessException)
        {
            throw new RpcException(new Status(StatusCode.Internal, Bounded($"can't read the large activity result: {e.Message}")));
        }
        var refused = await executor.CallAsync<string[]?>(new PythonCall(DurableModule, "reply") { Args = [outcome] }, cancellationToken);
        if (refused is [var kind, var text])
            throw new RpcException(new Status(kind == "internal" ? StatusCode.Internal : StatusCode.InvalidArgument, Bounded(text)));
        return new ActivityReplyResponse();
    }

    // Called from Python (the handler's thread) when a call becomes an activity: queued after its prints.
    private void SendActivity(string function, List<object?> args, Dictionary<string, object?> kwargs)
    {
        var call = new CallInfo { Function = function };
        call.Args.Add(args.Select(AutokittehValues.FromTagged));
        foreach (var (name, value) in kwargs)
            call.Kwargs.Add(name, AutokittehValues.FromTagged(value));
        var activity = new ActivityRequest { RunnerId = worker.RunnerId, CallInfo = call };
        // Raised in the calling Python code, which sees the call fail.
        if (activity.CalculateSize() > LargeObjects.MaxMessageSize)
            throw new InvalidOperationException($"activity request for {call.Function} is over {LargeObjects.MaxMessageSize} bytes");
        Telemetry.Activities.Add(1);
        _ = worker.CallInOrder(async () => await worker.Client.ActivityAsync(activity));
    }

    // Called from Python (the activity's thread) with the outcome: the exception, if any, travels inside data.
    private void SendExecuteReply(object? shown, byte[] data)
    {
        var custom = new AkCustom { Data = ByteString.CopyFrom(data), Value = AutokittehValues.FromTagged(shown) };
        var reply = new ExecuteReplyRequest { RunnerId = worker.RunnerId, Result = new AkValue { Custom = custom } };
        if (reply.CalculateSize() > LargeObjects.MaxMessageSize)
        {
            reply = largeObjects.Enabled
                ? new ExecuteReplyRequest
                {
                    RunnerId = worker.RunnerId,
                    Result = new AkValue { Custom = new AkCustom { Data = ByteString.CopyFrom(largeObjects.Store(data)), Value = new AkValue { String = new() { V = $"large object {data.Length}" } } } },
                }
                : new ExecuteReplyRequest { RunnerId = worker.RunnerId, Error = "response size too large" };
        }
        _ = worker.CallInOrder(async () => await worker.Client.ExecuteReplyAsync(reply));
    }

    private void Print(string text)
    {
        try
        {
            worker.Print(text);
        }
        catch (InvalidOperationException)
        {
            // The session is over (the runner stops): the text still went to the output.
        }
    }

    private DoneRequest Done(SessionOutcome outcome)
    {
        var done = new DoneRequest { RunnerId = worker.RunnerId };
        if (outcome.Error is { } error)
        {
            done.Error = error;
            foreach (var frame in outcome.Traceback ?? [])
                done.Traceback.Add(new Frame { Filename = frame.Filename, Lineno = (uint)frame.Lineno, Code = frame.Code, Name = frame.Name });
            return done;
        }
        // The worker dereferences result.custom unconditionally: it is always set on success.
        done.Result = new AkValue
        {
            Custom = new AkCustom
            {
                Data = ByteString.CopyFrom(outcome.Data ?? []),
                Value = AutokittehValues.FromTagged(outcome.Value),
            },
        };
        return done;
    }

    // Status messages travel in trailers, which clients cap: bounded as the executor service bounds its own.
    private static string Bounded(string text) => ErrorText.Bound(text, 512);

    /// <summary>What <c>session.run</c> returns: the handler's value (tagged) and pickled data, or its error.</summary>
    internal sealed record SessionOutcome(object? Value = null, byte[]? Data = null, string? Error = null, List<TracebackFrame>? Traceback = null);

    /// <summary>A frame of <c>session.frames</c>.</summary>
    internal sealed record TracebackFrame(string Filename, long Lineno, string Code, string Name);

    /// <summary>What <c>exports.list_exports</c> returns.</summary>
    internal sealed record ExportListing(string? Error = null, List<ExportInfo>? Exports = null);

    /// <summary>One export of <see cref="ExportListing"/>.</summary>
    internal sealed record ExportInfo(string File, long Line, string Name, List<string> Args);
}

using Autokitteh.UserCode.V1;
using EmbeddedPython.Grpc.Executor;
using Google.Protobuf;
using Grpc.Core;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using AkCustom = Autokitteh.Values.V1.Custom;
using AkValue = Autokitteh.Values.V1.Value;

namespace EmbeddedPython.Grpc.Autokitteh;

/// <summary>The one session a runner serves: <c>Start</c> loads the entry point and starts the handler on a
/// Python thread; its outcome becomes <c>Done</c>, sent once, after every print it made.</summary>
internal sealed partial class RunnerSession(
    IPythonExecutor executor,
    WorkerLink worker,
    Syscalls syscalls,
    LargeObjects largeObjects,
    RunnerExit exit,
    IOptions<PythonGrpcOptions> options,
    ILogger<RunnerSession> logger)
{
    private const string LoadCode = """
        from embedded_python_grpc import session as _session
        load_error = _session.load(code_dir, entry_file, entry_function, is_durable)
        """;

    private const string RunCode = """
        from embedded_python_grpc import session as _session
        _session.run(event_json, send_print, syscall, send_activity, send_execute_reply)
        """;

    private const string ExecuteCode = """
        from embedded_python_grpc import durable as _durable
        execute_error = _durable.execute()
        """;

    private const string ReplyCode = """
        from embedded_python_grpc import durable as _durable
        reply_error = _durable.reply(reply_data)
        """;

    private const string AbandonCode = """
        from embedded_python_grpc import durable as _durable
        _durable.abandon()
        """;

    private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _startCalled;
    private int _doneSent;
    private System.Diagnostics.Activity? _sessionActivity;

    /// <summary>Completes when <c>Start</c> has been called (the start timer waits for it).</summary>
    public Task Started => _started.Task;

    private string CodeDirectory => Path.GetFullPath(options.Value.Autokitteh.CodeDirectory);

    public async Task<ExportsResponse> ExportsAsync(string fileName, CancellationToken cancellationToken)
    {
        if (fileName.Length == 0)
            throw new RpcException(new Status(StatusCode.InvalidArgument, "missing file name"));
        if (!Path.GetFullPath(Path.Combine(CodeDirectory, fileName)).StartsWith(CodeDirectory + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            throw new RpcException(new Status(StatusCode.InvalidArgument, ErrorStatus.Bounded($"'{fileName}' is outside the code directory")));
        var result = await executor.ExecuteAsync(new PythonRequest
        {
            Code = "from embedded_python_grpc.exports import list_exports\nexports = list_exports(code_dir, file_name)",
            Name = "embedded_python_grpc.exports",
            PresetValues = new Dictionary<string, object?> { ["code_dir"] = CodeDirectory, ["file_name"] = fileName },
            LimitReturnTo = ["exports"],
        }, cancellationToken);
        var listing = (IReadOnlyDictionary<string, object?>)result.Values["exports"]!;
        if (listing.GetValueOrDefault("error") is string error)
            throw new RpcException(new Status(StatusCode.InvalidArgument, ErrorStatus.Bounded(error)));
        var response = new ExportsResponse();
        foreach (var item in (IEnumerable<object?>)listing["exports"]!)
        {
            var export = (IReadOnlyDictionary<string, object?>)item!;
            response.Exports.Add(new Export
            {
                File = (string)export["file"]!,
                Line = (uint)Convert.ToInt64(export["line"], System.Globalization.CultureInfo.InvariantCulture),
                Name = (string)export["name"]!,
                Args = { ((IEnumerable<object?>)export["args"]!).Cast<string>() },
            });
        }
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
        var loaded = await executor.ExecuteAsync(new PythonRequest
        {
            Code = LoadCode,
            Name = "embedded_python_grpc.load",
            PresetValues = new Dictionary<string, object?>
            {
                ["code_dir"] = CodeDirectory,
                ["entry_file"] = entry.File,
                ["entry_function"] = entry.Function,
                ["is_durable"] = request.IsDurable,
            },
            LimitReturnTo = ["load_error"],
            Timeout = Timeout.InfiniteTimeSpan,
        }, cancellationToken);
        if (loaded.Values.GetValueOrDefault("load_error") is IReadOnlyDictionary<string, object?> failure)
            throw LoadFailed((string)failure["error"]!);
        LogStarting(request.EntryPoint, request.IsDurable);
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
        return new RpcException(new Status(StatusCode.InvalidArgument, ErrorStatus.Bounded(message)));
    }

    private async Task RunAsync(string eventJson)
    {
        DoneRequest done;
        try
        {
            object? outcome = null;
            await foreach (var message in executor.StreamAsync(new PythonRequest
            {
                Code = RunCode,
                Name = "embedded_python_grpc.run",
                PresetValues = new Dictionary<string, object?>
                {
                    ["event_json"] = eventJson,
                    ["send_print"] = new PythonCallback(Print),
                    ["syscall"] = new PythonCallback(syscalls.Invoke),
                    ["send_activity"] = new PythonCallback(SendActivity),
                    ["send_execute_reply"] = new PythonCallback(SendExecuteReply),
                },
                Timeout = Timeout.InfiniteTimeSpan,
            }))
            {
                outcome = message.Value;
            }
            done = Done((IReadOnlyDictionary<string, object?>)outcome!);
        }
        catch (Exception e)
        {
            LogSessionFailed(e);
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
            LogSessionFailed(e);
        }
        if (options.Value.Autokitteh.StopAfterDone)
            exit.Stop("the session is done", done.Error.Length == 0 ? 0 : 1);
    }

    /// <summary>The worker's <c>Execute</c>: runs the pending activity; its outcome goes out as <c>ExecuteReply</c>.</summary>
    public async Task<ExecuteResponse> ExecuteAsync(CancellationToken cancellationToken)
    {
        var result = await executor.ExecuteAsync(new PythonRequest { Code = ExecuteCode, Name = "embedded_python_grpc.execute", LimitReturnTo = ["execute_error"] }, cancellationToken);
        if (result.Values.GetValueOrDefault("execute_error") is string error)
            throw new RpcException(new Status(StatusCode.Internal, ErrorStatus.Bounded(error)));
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
            await executor.ExecuteAsync(new PythonRequest { Code = AbandonCode, Name = "embedded_python_grpc.abandon" }, cancellationToken);
            return new ActivityReplyResponse { Error = error };
        }
        byte[] outcome;
        try
        {
            outcome = largeObjects.Resolve(data);
        }
        catch (Exception e) when (e is IOException or FormatException or UnauthorizedAccessException)
        {
            throw new RpcException(new Status(StatusCode.Internal, ErrorStatus.Bounded($"can't read the large activity result: {e.Message}")));
        }
        var result = await executor.ExecuteAsync(new PythonRequest
        {
            Code = ReplyCode,
            Name = "embedded_python_grpc.reply",
            PresetValues = new Dictionary<string, object?> { ["reply_data"] = outcome },
            LimitReturnTo = ["reply_error"],
        }, cancellationToken);
        if (result.Values.GetValueOrDefault("reply_error") is IReadOnlyList<object?> { Count: 2 } failure)
            throw new RpcException(new Status(failure[0] as string == "internal" ? StatusCode.Internal : StatusCode.InvalidArgument, ErrorStatus.Bounded(failure[1] as string ?? "")));
        return new ActivityReplyResponse();
    }

    // Called from Python (the handler's thread) when a call becomes an activity: queued after its prints.
    private object? SendActivity(IReadOnlyList<object?> arguments)
    {
        var call = new CallInfo { Function = (string)arguments[0]! };
        call.Args.Add(((IEnumerable<object?>)arguments[1]!).Select(AutokittehValues.FromTagged));
        foreach (var (name, value) in (IEnumerable<KeyValuePair<string, object?>>)arguments[2]!)
            call.Kwargs.Add(name, AutokittehValues.FromTagged(value));
        var activity = new ActivityRequest { RunnerId = worker.RunnerId, CallInfo = call };
        // Raised in the calling Python code, which sees the call fail.
        if (activity.CalculateSize() > LargeObjects.MaxMessageSize)
            throw new InvalidOperationException($"activity request for {call.Function} is over {LargeObjects.MaxMessageSize} bytes");
        Telemetry.Activities.Add(1);
        _ = worker.CallInOrder(async () => await worker.Client.ActivityAsync(activity));
        return null;
    }

    // Called from Python (the activity's thread) with the outcome: the exception, if any, travels inside data.
    private object? SendExecuteReply(IReadOnlyList<object?> arguments)
    {
        var data = (byte[])arguments[1]!;
        var custom = new AkCustom { Data = ByteString.CopyFrom(data), Value = AutokittehValues.FromTagged(arguments[0]) };
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
        return null;
    }

    private object? Print(IReadOnlyList<object?> arguments)
    {
        try
        {
            worker.Print(arguments.Count > 0 ? arguments[0] as string ?? "" : "");
        }
        catch (InvalidOperationException)
        {
            // The session is over (the runner stops): the text still went to the output.
        }
        return null;
    }

    private DoneRequest Done(IReadOnlyDictionary<string, object?> outcome)
    {
        var done = new DoneRequest { RunnerId = worker.RunnerId };
        if (outcome.GetValueOrDefault("error") is string error)
        {
            done.Error = error;
            foreach (var item in outcome.GetValueOrDefault("traceback") as IEnumerable<object?> ?? [])
            {
                var frame = (IReadOnlyDictionary<string, object?>)item!;
                done.Traceback.Add(new Frame
                {
                    Filename = (string)frame["filename"]!,
                    Lineno = (uint)Convert.ToInt64(frame["lineno"], System.Globalization.CultureInfo.InvariantCulture),
                    Code = (string)frame["code"]!,
                    Name = (string)frame["name"]!,
                });
            }
            return done;
        }
        // The worker dereferences result.custom unconditionally: it is always set on success.
        done.Result = new AkValue
        {
            Custom = new AkCustom
            {
                Data = ByteString.CopyFrom((byte[])outcome["data"]!),
                Value = AutokittehValues.FromTagged(outcome["value"]),
            },
        };
        return done;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "autokitteh session starts at {EntryPoint} (durable: {IsDurable})")]
    private partial void LogStarting(string entryPoint, bool isDurable);

    [LoggerMessage(Level = LogLevel.Error, Message = "The autokitteh session failed in the host")]
    private partial void LogSessionFailed(Exception exception);
}

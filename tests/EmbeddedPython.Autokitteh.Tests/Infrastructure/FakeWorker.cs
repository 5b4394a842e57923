using System.Collections.Concurrent;
using Autokitteh.UserCode.V1;
using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using AkValue = Autokitteh.Values.V1.Value;

namespace EmbeddedPython.Autokitteh.Tests.Infrastructure;

/// <summary>
/// autokitteh's Go worker as spec §4 describes it, serving <c>HandlerService</c> over real HTTP/2 on
/// 127.0.0.1: it records what the runner sends (in order), answers health and liveness, waits out
/// <c>Sleep</c>, keeps a key/value store and a queue of events, and completes <see cref="Finished"/> on the
/// first <c>Done</c> (a second one fails the test, as it would panic the Go side).
/// </summary>
public sealed class FakeWorker : HandlerService.HandlerServiceBase, IAsyncDisposable
{
    private readonly TaskCompletionSource<DoneRequest> _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ConcurrentDictionary<string, AkValue> _store = new();
    private WebApplication? _app;
    private int _doneCount;
    private int _healthCalls;
    private int _isActiveCalls;

    /// <summary>What the runner sent, in arrival order: "Print:text", "Subscribe:conn", ...</summary>
    public ConcurrentQueue<string> Received { get; } = new();

    public IEnumerable<string> Prints => Received.Where(r => r.StartsWith("Print:", StringComparison.Ordinal)).Select(r => r["Print:".Length..]);

    public Task<DoneRequest> Finished => _done.Task;

    public int DoneCount => Volatile.Read(ref _doneCount);

    public int HealthCalls => Volatile.Read(ref _healthCalls);

    public int IsActiveCalls => Volatile.Read(ref _isActiveCalls);

    /// <summary>The runner's RunnerService, for the calls the worker makes back (Execute, ActivityReply).</summary>
    public RunnerService.RunnerServiceClient? Runner { get; set; }

    /// <summary>When set, the worker answers an executed activity with this error instead of its result.</summary>
    public string? ActivityReplyError { get; set; }

    /// <summary>What the runner answered to the worker's ActivityReply calls.</summary>
    public ConcurrentQueue<string> ActivityReplyAnswers { get; } = new();

    /// <summary>When set, IsActiveRunner answers with this error (the worker forgot the runner).</summary>
    public string? IsActiveError { get; set; }

    /// <summary>Events NextEvent hands out, as JSON.</summary>
    public ConcurrentQueue<string> Events { get; } = new();

    /// <summary>The runner id of the last request.</summary>
    public string? LastRunnerId { get; private set; }

    /// <summary>host:port, as the runner's --worker-address takes it.</summary>
    public string Address { get; private set; } = "";

    public static async Task<FakeWorker> StartAsync()
    {
        var worker = new FakeWorker();
        var (app, address) = await LoopbackHost.StartAsync(
            services => services.AddGrpc().Services.AddSingleton(worker),
            app => app.MapGrpcService<FakeWorker>());
        worker._app = app;
        worker.Address = $"127.0.0.1:{address.Port}";
        return worker;
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }

    private void Record(string runnerId, string what)
    {
        LastRunnerId = runnerId;
        Received.Enqueue(what);
    }

    public override Task<HandlerHealthResponse> Health(HandlerHealthRequest request, ServerCallContext context)
    {
        Interlocked.Increment(ref _healthCalls);
        return Task.FromResult(new HandlerHealthResponse());
    }

    public override Task<IsActiveRunnerResponse> IsActiveRunner(IsActiveRunnerRequest request, ServerCallContext context)
    {
        Interlocked.Increment(ref _isActiveCalls);
        return Task.FromResult(new IsActiveRunnerResponse { Error = IsActiveError ?? "" });
    }

    public override Task<PrintResponse> Print(PrintRequest request, ServerCallContext context)
    {
        Record(request.RunnerId, "Print:" + request.Message);
        return Task.FromResult(new PrintResponse());
    }

    public override Task<DoneResponse> Done(DoneRequest request, ServerCallContext context)
    {
        Record(request.RunnerId, "Done");
        if (Interlocked.Increment(ref _doneCount) == 1)
            _done.TrySetResult(request);
        else
            _done.TrySetException(new InvalidOperationException("Done was sent twice"));
        return Task.FromResult(new DoneResponse());
    }

    public override async Task<SleepResponse> Sleep(SleepRequest request, ServerCallContext context)
    {
        Record(request.RunnerId, $"Sleep:{request.DurationMs}");
        if (request.DurationMs < 0)
            throw new RpcException(new Status(StatusCode.InvalidArgument, "negative duration"));
        await Task.Delay(TimeSpan.FromMilliseconds(request.DurationMs), context.CancellationToken);
        return new SleepResponse();
    }

    public override Task<SubscribeResponse> Subscribe(SubscribeRequest request, ServerCallContext context)
    {
        Record(request.RunnerId, $"Subscribe:{request.Connection}:{request.Filter}");
        return Task.FromResult(request.Connection.Length == 0
            ? new SubscribeResponse { Error = "missing connection" }
            : new SubscribeResponse { SignalId = "sig_" + request.Connection });
    }

    public override Task<NextEventResponse> NextEvent(NextEventRequest request, ServerCallContext context)
    {
        Record(request.RunnerId, $"NextEvent:{string.Join(",", request.SignalIds)}");
        var response = new NextEventResponse();
        if (Events.TryDequeue(out var json))
            response.Event = new Event { Data = Google.Protobuf.ByteString.CopyFromUtf8(json) };
        return Task.FromResult(response);
    }

    /// <summary>Results recorded in an earlier run: when set, activities are replayed from it, in order,
    /// without Execute (as Temporal replays a workflow's history).</summary>
    public ConcurrentQueue<AkValue>? History { get; set; }

    // As the Go side: answer at once, then ask the runner to execute the activity, or replay its result.
    public override Task<ActivityResponse> Activity(ActivityRequest request, ServerCallContext context)
    {
        var call = request.CallInfo;
        Record(request.RunnerId, $"Activity:{call.Function}({string.Join(",", call.Args.Select(Show))})");
        if (History is { } history)
        {
            _ = Task.Run(async () =>
            {
                var answer = history.TryDequeue(out var recorded)
                    ? await Runner!.ActivityReplyAsync(new ActivityReplyRequest { Result = recorded })
                    : await Runner!.ActivityReplyAsync(new ActivityReplyRequest { Error = "history mismatch: no more recorded activities" });
                ActivityReplyAnswers.Enqueue(answer.Error);
            });
        }
        else
        {
            _ = Task.Run(async () => await Runner!.ExecuteAsync(new ExecuteRequest { Data = request.Data }));
        }
        return Task.FromResult(new ActivityResponse());
    }

    // As the Go side: answer at once, then hand the result back (with the executor id set) or a failure.
    public override Task<ExecuteReplyResponse> ExecuteReply(ExecuteReplyRequest request, ServerCallContext context)
    {
        ExecuteReplies.Enqueue(request);
        if (request.Result is null)
        {
            // The Go side fails the session ("execute result is nil") and never replies.
            Record(request.RunnerId, $"ExecuteReply:error:{request.Error}");
            return Task.FromResult(new ExecuteReplyResponse());
        }
        Record(request.RunnerId, $"ExecuteReply:{Show(request.Result.Custom.Value)}");
        var result = request.Result.Clone();
        result.Custom.ExecutorId = "run_fake";
        _ = Task.Run(async () =>
        {
            var answer = await Runner!.ActivityReplyAsync(ActivityReplyError is { } error
                ? new ActivityReplyRequest { Error = error }
                : new ActivityReplyRequest { Result = result });
            ActivityReplyAnswers.Enqueue(answer.Error);
        });
        return Task.FromResult(new ExecuteReplyResponse());
    }

    /// <summary>The ExecuteReply requests, in order.</summary>
    public ConcurrentQueue<ExecuteReplyRequest> ExecuteReplies { get; } = new();

    private static string Show(AkValue value) => value switch
    {
        { Integer: { } i } => i.V.ToString(System.Globalization.CultureInfo.InvariantCulture),
        { String: { } s } => s.V,
        { Nothing: not null } => "None",
        _ => value.ToString(),
    };

    /// <summary>Signals NextSignal hands out.</summary>
    public ConcurrentQueue<Signal> Signals { get; } = new();

    public override Task<SignalResponse> Signal(SignalRequest request, ServerCallContext context)
    {
        Record(request.RunnerId, $"Signal:{request.SessionId}:{request.Signal.Name}:{Show(request.Signal.Payload)}");
        return Task.FromResult(new SignalResponse());
    }

    public override Task<NextSignalResponse> NextSignal(NextSignalRequest request, ServerCallContext context)
    {
        Record(request.RunnerId, $"NextSignal:{string.Join(",", request.Names)}:{request.TimeoutMs}");
        return Task.FromResult(Signals.TryDequeue(out var signal) ? new NextSignalResponse { Signal = signal } : new NextSignalResponse());
    }

    public override Task<OutcomeResponse> Outcome(OutcomeRequest request, ServerCallContext context)
    {
        Record(request.RunnerId, "Outcome:" + Google.Protobuf.JsonFormatter.Default.Format(request.Value));
        return Task.FromResult(new OutcomeResponse());
    }

    public override Task<EncodeJWTResponse> EncodeJWT(EncodeJWTRequest request, ServerCallContext context)
    {
        Record(request.RunnerId, $"EncodeJWT:{request.Connection}:{request.Algorithm}:{string.Join(",", request.Payload.OrderBy(p => p.Key).Select(p => $"{p.Key}={p.Value}"))}");
        return Task.FromResult(request.Algorithm == "RS256" ? new EncodeJWTResponse { Jwt = "header.claims.signature" } : new EncodeJWTResponse { Error = "unsupported algorithm" });
    }

    public override Task<RefreshResponse> RefreshOAuthToken(RefreshRequest request, ServerCallContext context)
    {
        Record(request.RunnerId, $"RefreshOAuthToken:{request.Integration}:{request.Connection}");
        return Task.FromResult(new RefreshResponse { Token = "fresh-token", Expires = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(new DateTimeOffset(2030, 1, 2, 3, 4, 5, TimeSpan.Zero)) });
    }

    public override Task<StoreMutateResponse> StoreMutate(StoreMutateRequest request, ServerCallContext context)
    {
        Record(request.RunnerId, $"StoreMutate:{request.Operation}:{request.Key}");
        var response = new StoreMutateResponse();
        switch (request.Operation)
        {
            case "set":
                _store[request.Key] = request.Operands[0];
                response.Result = new AkValue { Nothing = new() };
                break;
            case "get":
                response.Result = _store.TryGetValue(request.Key, out var value) ? value : new AkValue { Nothing = new() };
                break;
            default:
                response.Error = $"operation '{request.Operation}' not supported by the fake worker";
                break;
        }
        return Task.FromResult(response);
    }
}

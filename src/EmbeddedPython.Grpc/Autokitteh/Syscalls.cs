using System.Globalization;
using System.Text;
using Autokitteh.UserCode.V1;
using EmbeddedPython.Grpc.Executor;
using Google.Protobuf;
using Grpc.Core;

namespace EmbeddedPython.Grpc.Autokitteh;

/// <summary>The autokitteh SDK functions (python-stdlib/autokitteh) as <c>HandlerService</c> calls. Python
/// calls <see cref="Invoke"/> with a name and arguments and gets <c>{"value": v}</c> or <c>{"error": text}</c>;
/// the SDK raises the error as <c>AutoKittehError</c>, as autokitteh's own SDK does.</summary>
internal sealed class Syscalls(WorkerLink worker)
{
    public object? Invoke(IReadOnlyList<object?> arguments)
    {
        var name = arguments.Count > 0 ? arguments[0] as string : null;
        var args = arguments.Count > 1 && arguments[1] is IReadOnlyList<object?> list ? list : [];
        try
        {
            // Called from Python and blocking it until the worker answers, as autokitteh's runner does.
            var (value, error) = worker.CallInOrder(() => CallAsync(name, args)).GetAwaiter().GetResult();
            return error.Length > 0
                ? new Dictionary<string, object?> { ["error"] = error }
                : new Dictionary<string, object?> { ["value"] = value };
        }
        catch (Exception e) when (e is RpcException or ArgumentException or FormatException or InvalidCastException)
        {
            return new Dictionary<string, object?> { ["error"] = e.Message };
        }
    }

    private async Task<(object? Value, string Error)> CallAsync(string? name, IReadOnlyList<object?> args)
    {
        var client = worker.Client;
        var id = worker.RunnerId;
        switch (name)
        {
            case "sleep":
                var slept = await client.SleepAsync(new SleepRequest { RunnerId = id, DurationMs = Long(args[0]) });
                return (null, slept.Error);
            case "subscribe":
                var subscribed = await client.SubscribeAsync(new SubscribeRequest { RunnerId = id, Connection = Text(args[0]), Filter = Text(args[1]) });
                return (subscribed.SignalId, subscribed.Error);
            case "next_event":
                var request = new NextEventRequest { RunnerId = id, TimeoutMs = Long(args[1]) };
                request.SignalIds.Add(((IEnumerable<object?>)args[0]!).Select(Text));
                var next = await client.NextEventAsync(request);
                var data = next.Event?.Data is { IsEmpty: false } bytes ? JsonValues.ParseObject(bytes.ToStringUtf8()) : null;
                return (data, next.Error);
            case "unsubscribe":
                var unsubscribed = await client.UnsubscribeAsync(new UnsubscribeRequest { RunnerId = id, SignalId = Text(args[0]) });
                return (null, unsubscribed.Error);
            case "start":
                var started = await client.StartSessionAsync(new StartSessionRequest
                {
                    RunnerId = id,
                    Loc = Text(args[0]),
                    Data = Json(args[1]),
                    Memo = Json(args[2]),
                    Project = Text(args[3]),
                });
                return (started.SessionId, started.Error);
            case "store":
                var mutate = new StoreMutateRequest { RunnerId = id, Key = Text(args[0]), Operation = Text(args[1]) };
                mutate.Operands.Add(((IEnumerable<object?>)args[2]!).Select(AutokittehValues.FromDotNet));
                var mutated = await client.StoreMutateAsync(mutate);
                return (AutokittehValues.ToDotNet(mutated.Result), mutated.Error);
            case "store_list":
                var listed = await client.StoreListAsync(new StoreListRequest { RunnerId = id });
                return (listed.Keys.ToList(), listed.Error);
            case "outcome":
                var outcome = await client.OutcomeAsync(new OutcomeRequest { RunnerId = id, Value = AutokittehValues.FromDotNet(args[0]) });
                return (null, outcome.Error);
            default:
                throw new ArgumentException($"unknown autokitteh call '{name}'");
        }
    }

    private static string Text(object? value) => Convert.ToString(value, CultureInfo.InvariantCulture) ?? "";

    private static long Long(object? value) => Convert.ToInt64(value, CultureInfo.InvariantCulture);

    private static ByteString Json(object? value) =>
        ByteString.CopyFrom(Encoding.UTF8.GetBytes(JsonValues.Write(value, out _)));
}

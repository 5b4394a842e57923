using System.Globalization;
using Autokitteh.UserCode.V1;
using Google.Protobuf;

namespace EmbeddedPython.Autokitteh.Protocol;

/// <summary>The autokitteh SDK functions (python-stdlib/autokitteh) as <c>HandlerService</c> calls. Python
/// calls <see cref="InvokeAsync"/> with a name and arguments and gets <c>{"value": v}</c> or <c>{"error": text}</c>;
/// the SDK raises the error as <c>AutoKittehError</c>, as autokitteh's own SDK does. Python waits for the
/// returned Task without holding the GIL (on a session's thread, and on the interpreter's own thread for
/// module-level code alike).</summary>
internal sealed class Syscalls(WorkerLink worker)
{
    public async Task<Dictionary<string, object?>> InvokeAsync(string name, List<object?> args)
    {
        try
        {
            var (value, error) = await worker.CallInOrder(() => CallAsync(name, args));
            return error.Length > 0
                ? new Dictionary<string, object?> { ["error"] = error }
                : new Dictionary<string, object?> { ["value"] = value };
        }
        catch (Exception e)
        {
            // Whatever went wrong (worker error, malformed arguments) is raised in the calling Python code.
            return new Dictionary<string, object?> { ["error"] = e.Message };
        }
    }

    private async Task<(object? Value, string Error)> CallAsync(string name, IReadOnlyList<object?> args)
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
                // The event's JSON text; the SDK parses it (Python keeps ints, floats and big ints apart).
                var data = next.Event?.Data is { IsEmpty: false } bytes ? bytes.ToStringUtf8() : null;
                return (data, next.Error);
            case "unsubscribe":
                var unsubscribed = await client.UnsubscribeAsync(new UnsubscribeRequest { RunnerId = id, SignalId = Text(args[0]) });
                return (null, unsubscribed.Error);
            case "start":
                // Data and memo arrive as JSON text, written by the SDK.
                var started = await client.StartSessionAsync(new StartSessionRequest
                {
                    RunnerId = id,
                    Loc = Text(args[0]),
                    Data = ByteString.CopyFromUtf8(Text(args[1])),
                    Memo = ByteString.CopyFromUtf8(Text(args[2])),
                    Project = Text(args[3]),
                });
                return (started.SessionId, started.Error);
            case "store":
                var mutate = new StoreMutateRequest { RunnerId = id, Key = Text(args[0]), Operation = Text(args[1]) };
                mutate.Operands.Add(((IEnumerable<object?>)args[2]!).Select(AutokittehValues.FromDotNet));
                var mutated = await client.StoreMutateAsync(mutate);
                return (AutokittehValues.ToDotNet(mutated.Result), mutated.Error);
            case "signal":
                var signalled = await client.SignalAsync(new SignalRequest
                {
                    RunnerId = id,
                    SessionId = Text(args[0]),
                    Signal = new Signal { Name = Text(args[1]), Payload = AutokittehValues.FromDotNet(args[2]) },
                });
                return (null, signalled.Error);
            case "next_signal":
                var waitFor = new NextSignalRequest { RunnerId = id, TimeoutMs = Long(args[1]) };
                waitFor.Names.Add(((IEnumerable<object?>)args[0]!).Select(Text));
                var nextSignal = await client.NextSignalAsync(waitFor);
                var received = nextSignal.Signal is { } s
                    ? new Dictionary<string, object?> { ["name"] = s.Name, ["payload"] = AutokittehValues.ToDotNet(s.Payload) }
                    : null;
                return (received, nextSignal.Error);
            case "store_publish":
                var published = await client.StorePublishAsync(new StorePublishRequest { RunnerId = id, Key = Text(args[0]) });
                return (null, published.Error);
            case "encode_jwt":
                var jwtRequest = new EncodeJWTRequest { RunnerId = id, Connection = Text(args[1]), Algorithm = Text(args[2]) };
                foreach (var (claim, value) in (IEnumerable<KeyValuePair<string, object?>>)args[0]!)
                    jwtRequest.Payload.Add(claim, Long(value));
                var jwt = await client.EncodeJWTAsync(jwtRequest);
                return (jwt.Jwt, jwt.Error);
            case "refresh_oauth":
                var refreshed = await client.RefreshOAuthTokenAsync(new RefreshRequest { RunnerId = id, Integration = Text(args[0]), Connection = Text(args[1]) });
                return (new List<object?> { refreshed.Token, refreshed.Expires?.ToDateTimeOffset() }, refreshed.Error);
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
}

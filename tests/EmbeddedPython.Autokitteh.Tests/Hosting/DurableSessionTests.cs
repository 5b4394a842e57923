using Autokitteh.UserCode.V1;
using System.Collections.Concurrent;
using AkValue = Autokitteh.Values.V1.Value;
using Grpc.Core;

namespace EmbeddedPython.Autokitteh.Tests.Hosting;

/// <summary>Durable sessions (spec §2.3, §7.4) against the fake worker, which executes every activity
/// once and replies with its result as autokitteh's Go side does on a first run.</summary>
[Collection(PythonCollection.Name)]
public sealed class DurableSessionTests(SharedPython python) : IDisposable
{
    private readonly CodeDirectory _code = new();

    public void Dispose() => _code.Dispose();

    private async Task<(DoneRequest Done, RunnerUnderTest Runner)> RunDurableAsync(string entryPoint, Action<FakeWorker>? prepare = null)
    {
        var runner = await RunnerUnderTest.StartAsync(python.Executor, _code.Path);
        prepare?.Invoke(runner.Worker);
        var done = await runner.RunAsync(entryPoint, Fixtures.Event, durable: true);
        return (done, runner);
    }

    [Fact]
    public async Task External_calls_and_marked_functions_become_activities_and_sleep_becomes_a_Sleep_call()
    {
        _code.With("program.py", """
            import random
            import time

            import autokitteh


            @autokitteh.activity
            def double(n):
                return n * 2


            def on_event(event):
                n = random.randint(1, 6)
                v = double(n)
                time.sleep(0.05)
                print("n", n, "v", v)
                return v
            """);

        var (done, runner) = await RunDurableAsync("program.py:on_event");
        await using var _ = runner;

        var received = runner.Worker.Received.ToList();
        Assert.Equal(7, received.Count);
        var n = int.Parse(received[1]["ExecuteReply:".Length..], System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(
            ["Activity:randint(1,6)", $"ExecuteReply:{n}", $"Activity:double({n})", $"ExecuteReply:{2 * n}", "Sleep:50", $"Print:n {n} v {2 * n}\n", "Done"],
            received);
        Assert.InRange(n, 1, 6);
        Assert.Equal(2 * n, done.Result.Custom.Value.Integer.V);
        Assert.All(runner.Worker.ExecuteReplies, r => Assert.False(r.Result.Custom.Data.IsEmpty));
    }

    [Fact]
    public async Task A_replay_gets_the_recorded_results_without_running_the_activities_again()
    {
        _code.With("program.py", """
            import random

            import autokitteh


            @autokitteh.activity
            def pick():
                return random.randint(1, 1_000_000)


            def on_event(event):
                first, second = pick(), pick()
                print("picked", first, second)
                return [first, second]
            """);
        var (original, firstRun) = await RunDurableAsync("program.py:on_event");
        List<long> picked;
        ConcurrentQueue<AkValue> history;
        await using (firstRun)
        {
            picked = original.Result.Custom.Value.List.Vs.Select(v => v.Integer.V).ToList();
            history = new(firstRun.Worker.ExecuteReplies.Select(r => r.Result));
        }

        var (replayed, replay) = await RunDurableAsync("program.py:on_event", w => w.History = history);
        await using var _ = replay;

        Assert.Equal(picked, replayed.Result.Custom.Value.List.Vs.Select(v => v.Integer.V));
        Assert.Empty(replay.Worker.ExecuteReplies);
        Assert.Equal(["Activity:pick()", "Activity:pick()", $"Print:picked {picked[0]} {picked[1]}\n", "Done"], replay.Worker.Received);
    }

    [Fact]
    public async Task An_activity_that_raises_sends_its_exception_inside_the_result_and_the_session_fails_with_it()
    {
        _code.With("program.py", """
            import autokitteh


            @autokitteh.activity
            def explode(n):
                raise ValueError(f"explode {n}")


            def on_event(event):
                return explode(3)
            """);

        var (done, runner) = await RunDurableAsync("program.py:on_event");
        await using var _ = runner;

        var reply = Assert.Single(runner.Worker.ExecuteReplies);
        Assert.NotNull(reply.Result.Custom.Value.Nothing);
        Assert.False(reply.Result.Custom.Data.IsEmpty);
        Assert.Equal("", reply.Error);
        Assert.StartsWith("error: ValueError('explode 3')", done.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_failed_ActivityReply_ends_the_session_with_its_error()
    {
        _code.With("program.py", """
            import random


            def on_event(event):
                return random.random()
            """);

        var (done, runner) = await RunDurableAsync("program.py:on_event", w => w.ActivityReplyError = "activity failed: boom");
        await using var _ = runner;

        Assert.Equal("activity failed: boom", done.Error);
        var deadline = DateTime.UtcNow.AddSeconds(5);
        while (runner.Worker.ActivityReplyAnswers.IsEmpty && DateTime.UtcNow < deadline)
            await Task.Delay(20);
        Assert.Equal(["activity failed: boom"], runner.Worker.ActivityReplyAnswers);
        await Task.Delay(200);
        Assert.Equal(1, runner.Worker.DoneCount);
    }

    [Fact]
    public async Task Async_activities_are_awaited_and_deterministic_calls_run_in_place()
    {
        _code.With("program.py", """
            import asyncio
            import base64
            import re

            import autokitteh


            @autokitteh.activity
            async def fetch(n):
                await asyncio.sleep(0.01)
                return n + 1


            async def on_event(event):
                decoded = base64.b64decode("aGk=").decode()
                match = re.match(r"(h)i", decoded)
                out = await fetch(7)
                print(f"on_event: end (out={out})", match.group(1))
                return out
            """);

        var (done, runner) = await RunDurableAsync("program.py:on_event");
        await using var _ = runner;

        Assert.Equal(["Activity:fetch(7)", "ExecuteReply:8", "Print:on_event: end (out=8) h\n", "Done"], runner.Worker.Received);
        Assert.Equal(8, done.Result.Custom.Value.Integer.V);
    }

    [Fact]
    public async Task A_handler_marked_as_an_activity_runs_as_one_activity()
    {
        _code.With("program.py", """
            import random

            import autokitteh


            @autokitteh.activity
            def on_event(event):
                return random.randint(5, 5) + 1
            """);

        var (done, runner) = await RunDurableAsync("program.py:on_event");
        await using var _ = runner;

        Assert.Equal(["Activity:on_event(<event>)", "ExecuteReply:6", "Done"], runner.Worker.Received.Select(r => r.StartsWith("Activity:on_event(", StringComparison.Ordinal) ? "Activity:on_event(<event>)" : r));
        Assert.Equal(6, done.Result.Custom.Value.Integer.V);
    }

    private const string LargeResult = """
        import os

        import autokitteh


        @autokitteh.activity
        def big():
            return b"x" * (2 * 1024 * 1024)


        def on_event(event):
            return len(big())
        """;

    [Fact]
    public async Task An_activity_result_over_1_MiB_fails_with_response_size_too_large()
    {
        _code.With("program.py", LargeResult);
        await using var runner = await RunnerUnderTest.StartAsync(python.Executor, _code.Path);

        await runner.Client.StartAsync(new StartRequest { EntryPoint = "program.py:on_event", IsDurable = true });
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (runner.Worker.ExecuteReplies.IsEmpty && DateTime.UtcNow < deadline)
            await Task.Delay(20);

        var reply = Assert.Single(runner.Worker.ExecuteReplies);
        Assert.Equal("response size too large", reply.Error);
        Assert.Null(reply.Result);
    }

    [Fact]
    public async Task With_large_objects_a_big_result_is_stored_and_replayed_by_reference()
    {
        _code.With("program.py", LargeResult);
        using var store = new CodeDirectory();
        var runner = await RunnerUnderTest.StartAsync(python.Executor, _code.Path, o =>
        {
            o.EnableLargeObjects = true;
            o.LargeObjectsPath = store.Path;
        });
        await using var _ = runner;

        var done = await runner.RunAsync("program.py:on_event", Fixtures.Event, durable: true);

        var reply = Assert.Single(runner.Worker.ExecuteReplies);
        Assert.True(reply.Result.Custom.Data.Length < 1024, $"{reply.Result.Custom.Data.Length} bytes sent");
        Assert.StartsWith("large object ", reply.Result.Custom.Value.String.V, StringComparison.Ordinal);
        Assert.Single(Directory.GetFiles(store.Path));
        Assert.Equal(2 * 1024 * 1024, done.Result.Custom.Value.Integer.V);
    }

    [Fact]
    public async Task Execute_and_ActivityReply_without_a_pending_call_are_refused()
    {
        _code.With("program.py", Fixtures.Program);
        await using var runner = await RunnerUnderTest.StartAsync(python.Executor, _code.Path);

        var execute = await Assert.ThrowsAsync<RpcException>(() => runner.Client.ExecuteAsync(new ExecuteRequest()).ResponseAsync);
        var reply = await Assert.ThrowsAsync<RpcException>(() => runner.Client.ActivityReplyAsync(new ActivityReplyRequest
        {
            Result = new() { Custom = new() { Data = Google.Protobuf.ByteString.CopyFromUtf8("x") } },
        }).ResponseAsync);

        Assert.Equal((StatusCode.Internal, "no pending activity calls"), (execute.StatusCode, execute.Status.Detail));
        Assert.Equal((StatusCode.InvalidArgument, "ActivityReply without pending calls"), (reply.StatusCode, reply.Status.Detail));
    }
}

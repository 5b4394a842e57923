using Autokitteh.UserCode.V1;
using AkDictItem = Autokitteh.Values.V1.Dict.Types.Item;
using AkValue = Autokitteh.Values.V1.Value;

namespace EmbeddedPython.Autokitteh.Tests.Hosting;

[Collection(PythonCollection.Name)]
public sealed class SessionRunTests(SharedPython python) : IDisposable
{
    private readonly CodeDirectory _code = new();

    public void Dispose() => _code.Dispose();

    private async Task<(DoneRequest Done, RunnerUnderTest Runner)> RunAsync(string entryPoint, string eventJson = Fixtures.Event)
    {
        var runner = await RunnerUnderTest.StartAsync(python.Executor, _code.Path);
        var done = await runner.RunAsync(entryPoint, eventJson);
        await runner.Server.Stopping.WaitAsync(TimeSpan.FromSeconds(5));
        return (done, runner);
    }

    [Fact]
    public async Task A_handler_prints_to_the_session_log_then_Done_carries_its_return_value()
    {
        _code.With("program.py", Fixtures.Program);

        var (done, runner) = await RunAsync("program.py:on_event");
        await using var _ = runner;

        Assert.Equal(["Print:event_type: post event_id: evt_01\n", "Print:data: {\"k\": \"v\", \"n\": 1}\n", "Done"], runner.Worker.Received);
        Assert.Equal("runner_test", runner.Worker.LastRunnerId);
        Assert.Equal("", done.Error);
        var custom = done.Result.Custom;
        Assert.False(custom.Data.IsEmpty);
        Assert.Equal("", custom.ExecutorId);
        var items = custom.Value.Dict.Items.ToDictionary(i => i.K.String.V, i => i.V);
        Assert.Equal(42, items["answer"].Integer.V);
        var list = items["items"].List.Vs;
        Assert.Equal(1, list[0].Integer.V);
        Assert.Equal(2.5, list[1].Float.V);
        Assert.Equal("x", list[2].String.V);
        Assert.NotNull(list[3].Nothing);
        Assert.True(list[4].Boolean.V);
    }

    [Fact]
    public async Task A_handler_with_a_session_id_parameter_receives_it()
    {
        _code.With("program.py", Fixtures.Program);

        var (done, runner) = await RunAsync("program.py:with_session");
        await using var _ = runner;

        Assert.Equal(["session: ses_01\n"], runner.Worker.Prints);
        Assert.Equal("ses_01", done.Result.Custom.Value.String.V);
    }

    [Fact]
    public async Task A_base64_http_body_reaches_the_handler_as_bytes()
    {
        _code.With("program.py", Fixtures.Program);

        var (done, runner) = await RunAsync("program.py:body", """{"data": {"body": {"bytes": "eyJ1c2VyIjogImpvZSJ9"}}, "session_id": "ses_02"}""");
        await using var _ = runner;

        Assert.Equal("""{"user": "joe"}""", done.Result.Custom.Value.Bytes.V.ToStringUtf8());
    }

    [Fact]
    public async Task An_async_handler_is_awaited()
    {
        _code.With("program.py", Fixtures.Program);

        var (done, runner) = await RunAsync("program.py:on_async");
        await using var _ = runner;

        Assert.Equal(7, done.Result.Custom.Value.Integer.V);
    }

    [Fact]
    public async Task A_handler_error_becomes_Done_error_with_frames_from_the_code_directory()
    {
        _code.With("program.py", """
            def handle(event):
                helper()


            def helper():
                return 1 / 0
            """);

        var (done, runner) = await RunAsync("program.py:handle");
        await using var _ = runner;

        Assert.StartsWith("error: ZeroDivisionError('division by zero')\n\nTraceback (most recent call last):", done.Error, StringComparison.Ordinal);
        Assert.EndsWith("ZeroDivisionError: division by zero", done.Error, StringComparison.Ordinal);
        Assert.Null(done.Result);
        var program = _code.PathOf("program.py");
        Assert.Equal(
            [new Frame { Filename = program, Lineno = 2, Code = "helper()", Name = "handle" },
             new Frame { Filename = program, Lineno = 6, Code = "return 1 / 0", Name = "helper" }],
            done.Traceback);
    }

    [Fact]
    public async Task An_error_names_the_failing_file()
    {
        _code.With("progerr.py", "def handle(event):\n    1 / 0\n");

        var (done, runner) = await RunAsync("progerr.py:handle");
        await using var _ = runner;

        Assert.Contains("division by zero", done.Error);
        Assert.Contains("progerr.py", done.Error);
    }

    [Fact]
    public async Task Constructor_arguments_kept_off_Exception_init_appear_in_the_error()
    {
        _code.With("program.py", """
            class Boom(Exception):
                def __init__(self, message, code=0):
                    super().__init__(message)
                    self.code = code


            def handle(event):
                raise Boom("bad thing", code=7)
            """);

        var (done, runner) = await RunAsync("program.py:handle");
        await using var _ = runner;

        Assert.StartsWith("error: Boom('bad thing', 7)", done.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_nested_error_names_every_function_on_the_way()
    {
        _code.With("program.py", """
            def fn_c():
                raise ZeroDivisionError("oops")

            def fn_b():
                fn_c()

            def fn_a(event):
                fn_b()
            """);

        var (done, runner) = await RunAsync("program.py:fn_a");
        await using var _ = runner;

        Assert.All(["oops", "fn_a", "fn_b", "fn_c"], word => Assert.Contains(word, done.Error));
        Assert.Equal(["fn_a", "fn_b", "fn_c"], done.Traceback.Select(f => f.Name));
    }

    [Fact]
    public async Task SDK_calls_become_worker_calls_in_order_with_the_prints()
    {
        _code.With("program.py", """
            import autokitteh


            def on_event(event):
                print("before")
                sid = autokitteh.subscribe("github", "data.action == 'opened'")
                incoming = autokitteh.next_event(sid)
                autokitteh.set_value("count", 5)
                print("after")
                return [sid, incoming.kind, autokitteh.get_value("count")]
            """);
        var runner = await RunnerUnderTest.StartAsync(python.Executor, _code.Path);
        await using var _ = runner;
        runner.Worker.Events.Enqueue("""{"kind": "opened"}""");

        var done = await runner.RunAsync("program.py:on_event", Fixtures.Event);

        Assert.Equal("", done.Error);
        Assert.Equal(
            ["Print:before\n", "Subscribe:github:data.action == 'opened'", "NextEvent:sig_github", "StoreMutate:set:count", "Print:after\n", "StoreMutate:get:count", "Done"],
            runner.Worker.Received);
        var result = done.Result.Custom.Value.List.Vs;
        Assert.Equal(["sig_github", "opened"], result.Take(2).Select(v => v.String.V));
        Assert.Equal(5, result[2].Integer.V);
    }

    [Fact]
    public async Task While_a_handler_waits_for_the_worker_the_interpreter_serves_other_requests()
    {
        _code.With("program.py", """
            import autokitteh


            def on_event(event):
                autokitteh.sleep(3)
                return "woke"
            """);
        await using var runner = await RunnerUnderTest.StartAsync(python.Executor, _code.Path);
        await runner.Client.StartAsync(new StartRequest { EntryPoint = "program.py:on_event" });
        while (!runner.Worker.Received.Contains("Sleep:3000"))
            await Task.Delay(10);

        var watch = System.Diagnostics.Stopwatch.StartNew();
        var other = await python.Executor.ExecuteAsync("answer = 6 * 7");
        var waited = watch.Elapsed;
        var done = await runner.Worker.Finished.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(42L, other.Values["answer"]);
        // Had the waiting thread kept the GIL, the request would have waited out most of the 3 s.
        Assert.True(waited < TimeSpan.FromSeconds(2), $"the other request waited {waited}");
        Assert.Equal("woke", done.Result.Custom.Value.String.V);
    }

    [Fact]
    public async Task Signals_are_sent_and_received_through_the_worker()
    {
        _code.With("program.py", """
            from datetime import timedelta

            import autokitteh


            def on_event(event):
                autokitteh.signal("ses_other", "approve", {"by": "joe"})
                got = autokitteh.next_signal(["approved", "rejected"], timeout=timedelta(seconds=2))
                none = autokitteh.next_signal("approved", timeout=1)
                return [got.name, got.payload.by, none is None]
            """);
        var runner = await RunnerUnderTest.StartAsync(python.Executor, _code.Path);
        await using var _ = runner;
        runner.Worker.Signals.Enqueue(new Signal
        {
            Name = "approved",
            Payload = new() { Dict = new() { Items = { new AkDictItem { K = new() { String = new() { V = "by" } }, V = new() { String = new() { V = "ann" } } } } } },
        });

        var done = await runner.RunAsync("program.py:on_event", Fixtures.Event);

        Assert.Equal("", done.Error);
        Assert.Equal(["Signal:ses_other:approve:" + Show("by", "joe"), "NextSignal:approved,rejected:2000", "NextSignal:approved:1000", "Done"], runner.Worker.Received);
        var result = done.Result.Custom.Value.List.Vs;
        Assert.Equal(("approved", "ann", true), (result[0].String.V, result[1].String.V, result[2].Boolean.V));
    }

    private static string Show(string key, string value) =>
        new AkValue { Dict = new() { Items = { new AkDictItem { K = new() { String = new() { V = key } }, V = new() { String = new() { V = value } } } } } }.ToString();

    [Fact]
    public async Task Http_outcomes_jwts_and_oauth_refreshes_go_to_the_worker()
    {
        _code.With("program.py", """
            import autokitteh
            from autokitteh import connections


            def on_event(event):
                autokitteh.http_outcome(201, json={"ok": True}, headers={"X-Id": "7"})
                jwt = connections.encode_jwt({"iat": 1, "exp": 2}, "github_conn", "RS256")
                token, expires = connections.refresh_oauth("google", "google_conn")
                return [jwt, token, expires.isoformat()]
            """);
        var runner = await RunnerUnderTest.StartAsync(python.Executor, _code.Path);
        await using var _ = runner;

        var done = await runner.RunAsync("program.py:on_event", Fixtures.Event);

        Assert.Equal("", done.Error);
        var received = runner.Worker.Received.ToList();
        Assert.StartsWith("Outcome:", received[0], StringComparison.Ordinal);
        Assert.All(["status_code", "201", "X-Id", "more", "json"], part => Assert.Contains(part, received[0], StringComparison.Ordinal));
        Assert.Equal(["EncodeJWT:github_conn:RS256:exp=2,iat=1", "RefreshOAuthToken:google:google_conn", "Done"], received.Skip(1));
        Assert.Equal(["header.claims.signature", "fresh-token", "2030-01-02T03:04:05+00:00"], done.Result.Custom.Value.List.Vs.Select(v => v.String.V));
    }

    [Fact]
    public async Task A_worker_error_is_raised_in_user_code_as_AutoKittehError()
    {
        _code.With("program.py", """
            import autokitteh


            def on_event(event):
                try:
                    autokitteh.subscribe("", "")
                except autokitteh.AutoKittehError as err:
                    return str(err)
            """);

        var (done, runner) = await RunAsync("program.py:on_event");
        await using var _ = runner;

        Assert.Equal("subscribe: missing connection", done.Result.Custom.Value.String.V);
    }

}

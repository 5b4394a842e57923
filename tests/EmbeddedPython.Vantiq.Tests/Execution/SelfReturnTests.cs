using System.Text.Json.Nodes;
using EmbeddedPython.Vantiq.Tests.FakeVantiq;

namespace EmbeddedPython.Vantiq.Tests.Execution;

/// <summary>Vantiq spec 4.5: code that sends its own responses through connector_connection.</summary>
[Collection(PythonCollection.Name)]
public sealed class SelfReturnTests(PythonFixture python)
{
    private const string P = "io.vantiq.pyexecsource.";

    private static JsonNode Code(string code, object? handlesReturn = null) =>
        new JsonObject { ["codeHandlesReturn"] = JsonValue.Create(handlesReturn ?? true), ["code"] = code };

    [Fact]
    public async Task F1_partial_and_final_frames_arrive_in_order_then_the_notification()
    {
        var (connector, session) = await ConnectorUnderTest.ConnectAsync(python.Executor);
        await using var _ = connector;
        const string code = "import asyncio\nasync def send():\n"
            + "    for i in range(3):\n        await connector_connection.send_query_response(connector_context, 100, {\"i\": i})\n"
            + "    await connector_connection.send_query_response(connector_context, 100, [{\"i\": 10}, {\"i\": 11}])\n"
            + "    await connector_connection.send_query_response(connector_context, 200, {\"last\": True})\n"
            + "    await connector_connection.send_notification({\"note\": 1})\n"
            + "asyncio.get_event_loop().create_task(send())\n";
        var replies = await session.QueryAsync(Code(code));
        Assert.Equal([100, 100, 100, 100, 200], replies.Select(r => (int)r["status"]!));
        Assert.Equal("""[{"i":0},{"i":1},{"i":2},[{"i":10},{"i":11}],{"last":true}]""",
            new JsonArray(replies.Select(r => r["body"]!.DeepClone()).ToArray()).ToJsonString());
        await session.WaitForAsync(frames => frames.Any(f => (string?)f["op"] == "notification"));
        Assert.Equal("""{"note":1}""", session.Frames.Last()["object"]!.ToJsonString());
    }

    [Fact]
    public async Task F2_a_204_ends_the_query_without_a_body()
    {
        var (connector, session) = await ConnectorUnderTest.ConnectAsync(python.Executor);
        await using var _ = connector;
        const string code = "import asyncio\nasync def send():\n"
            + "    await connector_connection.send_query_response(connector_context, 100, {\"i\": 0})\n"
            + "    await connector_connection.send_query_response(connector_context, 204, None)\n"
            + "asyncio.get_event_loop().create_task(send())\n";
        var address = await session.SendQueryAsync(Code(code, "true"));
        var replies = await session.RepliesAsync(address);
        Assert.Equal(2, replies.Count);
        Assert.Equal(204, (int)replies[1]["status"]!);
        Assert.DoesNotContain("body", session.RawFrames.Single(f => f.Contains("204", StringComparison.Ordinal)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task F3_send_query_error_sends_the_callers_error()
    {
        var (connector, session) = await ConnectorUnderTest.ConnectAsync(python.Executor);
        await using var _ = connector;
        const string code = "import asyncio\nasync def send():\n"
            + "    await connector_connection.send_query_error(connector_context, {\"messageCode\": \"my.err\", \"messageTemplate\": \"bad {0}\", \"parameters\": [\"thing\"]})\n"
            + "asyncio.get_event_loop().create_task(send())\n";
        var reply = Assert.Single(await session.QueryAsync(Code(code)));
        ErrorTests.AssertError(reply, "my.err", "bad {0}", """["thing"]""");
    }

    [Fact]
    public async Task F4_an_invalid_code_raises_the_originals_message()
    {
        var error = await ErrorOfAsync("connector_context", "send_query_response(connector_context, 201, {\"x\": 1})");
        Assert.Equal("send_query_response(): Invalid Code: 201.", error);
    }

    [Fact]
    public async Task F5_self_returning_code_that_never_answers_gets_a_noresponse_error_at_once()
    {
        var (connector, session) = await ConnectorUnderTest.ConnectAsync(python.Executor);
        await using var _ = connector;
        var reply = Assert.Single(await session.QueryAsync(Code("x = 1\n"), TimeSpan.FromSeconds(10)));
        ErrorTests.AssertError(reply, P + "execution.noresponse",
            "The code handles its own return, but it and the tasks it started ended without sending a final response.", "[]");
    }

    [Fact]
    public async Task F6_a_task_that_raises_before_answering_fails_the_query_with_its_exception()
    {
        var (connector, session) = await ConnectorUnderTest.ConnectAsync(python.Executor);
        await using var _ = connector;
        const string code = "import asyncio\nasync def boom():\n    await asyncio.sleep(0.05)\n    raise RuntimeError(\"lost\")\nasyncio.get_event_loop().create_task(boom())\n";
        var reply = Assert.Single(await session.QueryAsync(Code(code), TimeSpan.FromSeconds(10)));
        ErrorTests.AssertError(reply, P + "execution.exception", "Executing code raised exception: {0} :: {1}");
        Assert.Equal("RuntimeError", (string)reply["body"]!["parameters"]![0]!);
        Assert.Contains("RuntimeError: lost", (string)reply["body"]!["parameters"]![1]!, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_task_started_by_a_task_may_answer_after_the_task_that_started_it_ended()
    {
        var (connector, session) = await ConnectorUnderTest.ConnectAsync(python.Executor);
        await using var _ = connector;
        const string code = "import asyncio\nasync def child():\n    await asyncio.sleep(0.1)\n"
            + "    await connector_connection.send_query_response(connector_context, 200, {\"from\": \"child\"})\n"
            + "async def parent():\n    asyncio.get_event_loop().create_task(child())\n"
            + "asyncio.get_event_loop().create_task(parent())\n";
        var reply = Assert.Single(await session.QueryAsync(Code(code), TimeSpan.FromSeconds(10)));
        Assert.Equal("""{"from":"child"}""", reply["body"]!.ToJsonString());
    }

    [Fact]
    public async Task A_task_that_raises_after_the_final_reply_changes_nothing()
    {
        var (connector, session) = await ConnectorUnderTest.ConnectAsync(python.Executor);
        await using var _ = connector;
        const string code = "import asyncio\nasync def late():\n    await connector_connection.send_query_response(connector_context, 200, {\"ok\": 1})\n    raise RuntimeError(\"after\")\nasyncio.get_event_loop().create_task(late())\n";
        var address = await session.SendQueryAsync(Code(code));
        Assert.Equal("""{"ok":1}""", Assert.Single(await session.RepliesAsync(address))["body"]!.ToJsonString());
        var next = await session.QueryOneAsync("""{"code": "v = 1\n"}""");
        Assert.Equal(200, (int)next["status"]!);
        Assert.Single(session.Frames, f => FakeSession.IsReplyTo(f, address));
    }

    [Theory]
    [InlineData("F8 batches of 1 to 5 rows, a notification, then the last row", true)]
    [InlineData("F9 all rows in partials, then 204, then a notification", false)]
    public async Task Batched_rows_and_a_204_end_deliver_25_rows(string id, bool lastRowIn200)
    {
        var (connector, session) = await ConnectorUnderTest.ConnectAsync(python.Executor);
        await using var _ = connector;
        var code = "import asyncio\nasync def run():\n    rows = [{\"item\": f\"row {i}\"} for i in range(" + (lastRowIn200 ? 24 : 25) + ")]\n"
            + "    size = 1\n    while rows:\n        batch, rows = rows[:size], rows[size:]\n"
            + "        await connector_connection.send_query_response(connector_context, 100, batch[0] if len(batch) == 1 else batch)\n"
            + "        size = size % 5 + 1\n"
            + (lastRowIn200
                ? "    await connector_connection.send_notification({\"n\": 1})\n    await connector_connection.send_query_response(connector_context, 200, {\"item\": \"I am the last item\"})\n"
                : "    await connector_connection.send_query_response(connector_context, 204, None)\n    await connector_connection.send_notification({\"n\": 1})\n")
            + "asyncio.get_event_loop().create_task(run())\n";
        var replies = await session.QueryAsync(Code(code));
        var rows = replies.Where(r => r["body"] is not null).Sum(r => r["body"] is JsonArray array ? array.Count : 1);
        Assert.True(rows == 25, id);
        Assert.Equal(lastRowIn200 ? 200 : 204, (int)replies[^1]["status"]!);
        await session.WaitForAsync(frames => frames.Any(f => (string?)f["op"] == "notification"));
    }

    [Fact]
    public async Task F10_a_looper_document_streams_its_rows_and_a_re_saved_document_runs_the_new_code()
    {
        var (connector, session) = await ConnectorUnderTest.ConnectAsync(python.Executor);
        await using var _ = connector;
        static string Looper(string key) => "import asyncio\nasync def run():\n"
            + $"    for i in range(loop_count - 1):\n        await connector_connection.send_query_response(connector_context, 100, {{\"{key}\": i}})\n"
            + $"    await connector_connection.send_query_response(connector_context, 200, {{\"{key}\": loop_count - 1}})\n"
            + "    await connector_connection.send_notification({\"calls\": 1})\n"
            + "asyncio.get_event_loop().create_task(run())\n";
        connector.Server.Documents["looper.py"] = new FakeDocument(Looper("item"), "t1");
        JsonNode With() => JsonNode.Parse("""{"script": "looper.py", "codeHandlesReturn": true, "presetValues": {"loop_count": 20}}""")!;
        for (var call = 0; call < 3; call++)
            Assert.All(await session.QueryAsync(With()), r => Assert.NotNull(r["body"]!["item"]));
        connector.Server.Documents["looper.py"] = new FakeDocument(Looper("line_item"), "t2");
        for (var call = 0; call < 3; call++)
        {
            var replies = await session.QueryAsync(With());
            Assert.Equal(20, replies.Count);
            Assert.All(replies, r => Assert.NotNull(r["body"]!["line_item"]));
        }
        await session.WaitForAsync(frames => frames.Count(f => (string?)f["op"] == "notification") == 6);
    }

    [Fact]
    public async Task A_reply_with_another_sources_context_is_refused()
    {
        var error = await ErrorOfAsync("dict(connector_context, source_name=\"other\")", "send_query_response(context, 200, {\"x\": 1})");
        Assert.StartsWith("Query response is missing or has incomplete context:", error);
    }

    [Fact]
    public async Task An_error_without_its_required_keys_is_refused_with_their_names()
    {
        var error = await ErrorOfAsync("connector_context", "send_query_error(context, {\"messageCode\": \"x\"})");
        Assert.StartsWith("send_query_error(): the error needs messageTemplate, parameters:", error);
    }

    /// <summary>Runs <c>connector_connection.&lt;call&gt;</c> with <c>context</c> set to <paramref name="context"/>
    /// in a task, and returns the text of the exception it raised (sent back as the query's result).</summary>
    private async Task<string> ErrorOfAsync(string context, string call)
    {
        var (connector, session) = await ConnectorUnderTest.ConnectAsync(python.Executor);
        await using var _ = connector;
        var code = $"import asyncio\nasync def send():\n    context = {context}\n    try:\n        await connector_connection.{call}\n"
            + "    except Exception as e:\n        await connector_connection.send_query_response(connector_context, 200, {\"err\": str(e)})\n"
            + "asyncio.get_event_loop().create_task(send())\n";
        var reply = Assert.Single(await session.QueryAsync(Code(code)));
        return (string)reply["body"]!["err"]!;
    }
}

using System.Diagnostics;
using System.Net.WebSockets;
using System.Text.Json.Nodes;
using EmbeddedPython.Vantiq.Tests.FakeVantiq;

namespace EmbeddedPython.Vantiq.Tests.Connection;

/// <summary>Vantiq spec 4.7: handshake, reconnects, publish, concurrency, limits, over the real websocket.</summary>
[Collection(PythonCollection.Name)]
public sealed class ProtocolTests(PythonFixture python)
{
    private static async Task<JsonNode> AnswerAsync(FakeSession session, string code = "v = 1\n") =>
        await session.QueryOneAsync(new JsonObject { ["code"] = code }.ToJsonString());

    [Fact]
    public async Task P1_the_handshake_is_validate_then_connectExtension_with_a_source_prefixed_secret()
    {
        var connector = await ConnectorUnderTest.StartAsync(python.Executor);
        await using var _ = connector;
        await connector.Server.NextSessionAsync();
        var frames = connector.Server.Handshakes.ToArray();
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"op":"validate","resourceName":"system.credentials","object":"test-token"}"""), frames[0]));
        Assert.Equal(["op", "resourceName", "resourceId", "parameters"], frames[1].AsObject().Select(p => p.Key));
        Assert.Equal("connectExtension", (string)frames[1]["op"]!);
        Assert.Equal("sources", (string)frames[1]["resourceName"]!);
        Assert.Equal("pySrc", (string)frames[1]["resourceId"]!);
        Assert.Matches("^pySrc_[0-9a-f-]{36}$", (string)frames[1]["parameters"]!["reconnectSecret"]!);
    }

    [Fact]
    public async Task P2_status_messages_before_a_binary_configure_are_skipped_and_an_unwrapped_config_works()
    {
        var connector = await ConnectorUnderTest.StartAsync(python.Executor, server: s =>
        {
            s.StatusesBeforeConfigure.Add("""{"status": 200}""");
            s.Binary = true;
            s.Config = JsonNode.Parse("""{"pythonExecConfig": {"general": {"returnRuntimeInformation": "yes"}}}""")!;
        });
        await using var _ = connector;
        var session = await connector.Server.NextSessionAsync();
        var reply = await AnswerAsync(session);
        Assert.Equal(128, (int)reply["body"]!["connectorRuntimeInfo"]!["cacheCapacity"]!);
    }

    [Fact]
    public async Task P3_reconnectRequired_closes_with_1000_and_reconnects_at_once_with_the_same_secret()
    {
        var connector = await ConnectorUnderTest.StartAsync(python.Executor);
        await using var _ = connector;
        var session = await connector.Server.NextSessionAsync();
        var asked = Stopwatch.StartNew();
        await session.SendAsync("""{"op": "reconnectRequired", "resourceName": "sources", "resourceId": "pySrc"}""");
        Assert.Equal(WebSocketCloseStatus.NormalClosure, await session.Closed.WaitAsync(TimeSpan.FromSeconds(10)));
        var again = await connector.Server.NextSessionAsync();
        Assert.True(asked.Elapsed < TimeSpan.FromSeconds(2), asked.Elapsed.ToString());
        var secrets = connector.Server.Handshakes.Where(h => (string?)h["op"] == "connectExtension").Select(h => (string)h["parameters"]!["reconnectSecret"]!).ToArray();
        Assert.Equal(2, secrets.Length);
        Assert.Equal(secrets[0], secrets[1]);
        await AnswerAsync(again);
    }

    [Fact]
    public async Task P4_a_frame_above_the_limit_closes_with_1009_and_the_connector_comes_back()
    {
        var connector = await ConnectorUnderTest.StartAsync(python.Executor, o => o.MaxIncomingMessageBytes = 64 * 1024);
        await using var _ = connector;
        var session = await connector.Server.NextSessionAsync();
        try
        {
            await session.SendQueryAsync(new JsonObject { ["code"] = "v = 1\n", ["presetValues"] = new JsonObject { ["big"] = new string('x', 100_000) } });
        }
        catch (WebSocketException)
        {
            // The connector closed while the frame was still being written.
        }
        Assert.Equal(WebSocketCloseStatus.MessageTooBig, await session.Closed.WaitAsync(TimeSpan.FromSeconds(10)));
        var again = await connector.Server.NextSessionAsync();
        await AnswerAsync(again);
        Assert.Empty(session.Frames);
    }

    [Fact]
    public async Task Frames_above_1_MiB_are_answered_by_default()
    {
        var (connector, session) = await ConnectorUnderTest.ConnectAsync(python.Executor);
        await using var _ = connector;
        var big = new string('x', 3 * 1024 * 1024);
        var reply = await session.QueryOneAsync(new JsonObject { ["code"] = "n = len(big)\n", ["presetValues"] = new JsonObject { ["big"] = big }, ["limitReturnTo"] = "n" }.ToJsonString());
        Assert.Equal(big.Length, (int)reply["body"]!["pythonCallResults"]!["n"]!);
        var echo = await session.QueryOneAsync(new JsonObject { ["code"] = "s = big\n", ["presetValues"] = new JsonObject { ["big"] = big }, ["limitReturnTo"] = "s" }.ToJsonString());
        Assert.Equal(big, (string)echo["body"]!["pythonCallResults"]!["s"]!);
    }

    [Fact]
    public async Task P5_refused_connectExtension_is_retried_with_back_off_then_succeeds()
    {
        var connector = await ConnectorUnderTest.StartAsync(python.Executor, o => o.ReconnectDelay = TimeSpan.FromMilliseconds(100),
            server: s => s.RefuseConnects(3));
        await using var _ = connector;
        var session = await connector.Server.NextSessionAsync();
        var times = connector.Server.ConnectTimes.ToArray();
        Assert.Equal(4, times.Length);
        var gaps = times.Zip(times.Skip(1), (a, b) => b - a).ToArray();
        // Back-off between half and all of 100, 200, 400 ms (the original retried in a hot loop).
        Assert.All(gaps, gap => Assert.True(gap >= TimeSpan.FromMilliseconds(45), gap.ToString()));
        Assert.True(gaps[2] >= TimeSpan.FromMilliseconds(195), gaps[2].ToString());
        await AnswerAsync(session);
    }

    [Fact]
    public async Task P6_an_abnormal_close_is_followed_by_a_reconnect()
    {
        var connector = await ConnectorUnderTest.StartAsync(python.Executor);
        await using var _ = connector;
        var session = await connector.Server.NextSessionAsync();
        await session.CloseAsync(WebSocketCloseStatus.InternalServerError);
        await AnswerAsync(await connector.Server.NextSessionAsync());
    }

    [Fact]
    public async Task P7_a_refused_token_is_retried_instead_of_ending_the_process()
    {
        var connector = await ConnectorUnderTest.StartAsync(python.Executor, o =>
            {
                o.AuthToken = "test-token";
                o.MaxReconnectDelay = TimeSpan.FromMilliseconds(300);
            },
            server: s => s.Token = "another-token");
        await using var _ = connector;
        await WaitForAsync(() => connector.Server.Handshakes.Count(h => (string?)h["op"] == "validate") >= 2 ? 1 : null);
        Assert.DoesNotContain(connector.Server.Handshakes, h => (string?)h["op"] == "connectExtension");
        connector.Server.Token = "test-token";
        await AnswerAsync(await connector.Server.NextSessionAsync());
    }

    [Fact]
    public async Task P8_publish_is_ignored_and_nothing_is_sent()
    {
        var (connector, session) = await ConnectorUnderTest.ConnectAsync(python.Executor);
        await using var _ = connector;
        await session.SendAsync("""{"op": "publish", "resourceName": "sources", "resourceId": "pySrc", "object": {"hello": "world"}}""");
        await AnswerAsync(session);
        Assert.Single(session.Frames);
    }

    [Fact]
    public async Task P11_125_publishes_with_a_dropped_connection_every_10_leave_the_connector_serving()
    {
        var connector = await ConnectorUnderTest.StartAsync(python.Executor, o => o.ReconnectDelay = TimeSpan.FromMilliseconds(50));
        await using var _ = connector;
        var session = await connector.Server.NextSessionAsync();
        var sessions = 1;
        for (var i = 1; i <= 125; i++)
        {
            await session.SendAsync(new JsonObject { ["op"] = "publish", ["resourceName"] = "sources", ["resourceId"] = "pySrc", ["object"] = new JsonObject { ["n"] = i } }.ToJsonString());
            if (i % 10 == 0)
            {
                session.Abort();
                session = await connector.Server.NextSessionAsync();
                sessions++;
            }
        }
        Assert.Equal(13, sessions);
        Assert.Empty(session.Frames);
        await AnswerAsync(session);
    }

    [Fact]
    public async Task P9_blocking_code_delays_the_next_query_and_both_are_answered()
    {
        var (connector, session) = await ConnectorUnderTest.ConnectAsync(python.Executor);
        await using var _ = connector;
        var clock = Stopwatch.StartNew();
        var slow = session.QueryAsync(JsonNode.Parse("""{"code": "import time\ntime.sleep(1.5)\na = 1\n"}"""));
        await Task.Delay(50);
        var fast = await session.QueryAsync(JsonNode.Parse("""{"code": "b = 2\n"}"""));
        Assert.True(clock.Elapsed >= TimeSpan.FromSeconds(1.4), clock.Elapsed.ToString());
        Assert.Equal(1, (int)(await slow)[0]["body"]!["pythonCallResults"]!["a"]!);
        Assert.Equal(2, (int)fast[0]["body"]!["pythonCallResults"]!["b"]!);
    }

    [Fact]
    public async Task P10_awaiting_code_does_not_delay_the_next_query()
    {
        var (connector, session) = await ConnectorUnderTest.ConnectAsync(python.Executor);
        await using var _ = connector;
        var clock = Stopwatch.StartNew();
        var slow = session.QueryAsync(JsonNode.Parse("""{"codeHandlesReturn": true, "code": "import asyncio\nasync def later():\n    await asyncio.sleep(1)\n    await connector_connection.send_query_response(connector_context, 200, {\"a\": 1})\nasyncio.get_event_loop().create_task(later())\n"}"""));
        await Task.Delay(50);
        await session.QueryAsync(JsonNode.Parse("""{"code": "b = 2\n"}"""));
        Assert.False(slow.IsCompleted, clock.Elapsed.ToString());
        Assert.Equal(1, (int)(await slow)[0]["body"]!["a"]!);
    }

    [Fact]
    public async Task A_hundred_concurrent_queries_on_one_source_are_all_answered_correctly()
    {
        var (connector, session) = await ConnectorUnderTest.ConnectAsync(python.Executor);
        await using var _ = connector;
        var replies = await Task.WhenAll(Enumerable.Range(0, 100).Select(i =>
            session.QueryAsync(new JsonObject { ["name"] = "square", ["code"] = "r = n * n\n", ["presetValues"] = new JsonObject { ["n"] = i } })));
        for (var i = 0; i < 100; i++)
            Assert.Equal(i * i, (int)Assert.Single(replies[i])["body"]!["pythonCallResults"]!["r"]!);
    }

    [Fact]
    public async Task A_query_that_loops_forever_gets_its_400_at_the_limit_and_the_next_query_works()
    {
        var connector = await ConnectorUnderTest.StartAsync(python.Executor, o => o.QueryTimeout = TimeSpan.FromSeconds(1));
        await using var _ = connector;
        var session = await connector.Server.NextSessionAsync();
        var clock = Stopwatch.StartNew();
        var reply = await session.QueryOneAsync("""{"code": "while True:\n    pass\n"}""");
        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(0.9), TimeSpan.FromSeconds(5));
        Assert.Equal("io.vantiq.pyexecsource.execution.timeout", (string)reply["body"]!["messageCode"]!);
        Assert.Equal(1, (int)(await AnswerAsync(session))["body"]!["pythonCallResults"]!["v"]!);
        var silent = await session.QueryOneAsync("""{"codeHandlesReturn": true, "code": "import asyncio\nasync def never():\n    await asyncio.sleep(60)\nasyncio.get_event_loop().create_task(never())\n"}""");
        Assert.Equal("io.vantiq.pyexecsource.execution.timeout", (string)silent["body"]!["messageCode"]!);
    }

    [Fact]
    public async Task Malformed_frames_are_logged_and_the_connection_keeps_serving()
    {
        var (connector, session) = await ConnectorUnderTest.ConnectAsync(python.Executor);
        await using var _ = connector;
        await session.SendAsync("this is not json");
        await session.SendAsync("[1, 2, 3]");
        await session.SendAsync("""{"op": "somethingNew"}""");
        await session.SendAsync("""{"status": 500, "body": [{"code": "x", "message": "y"}]}""");
        await session.SendAsync("""{"op": "query", "messageHeaders": {"REPLY_ADDR_HEADER": 5}}""");
        await AnswerAsync(session);
        Assert.Single(session.Frames);
        Assert.Equal(1, connector.Server.Handshakes.Count(h => (string?)h["op"] == "validate"));
    }

    [Fact]
    public async Task Replies_of_queries_in_flight_when_the_server_drops_the_socket_arrive_on_the_next_connection()
    {
        var (connector, session) = await ConnectorUnderTest.ConnectAsync(python.Executor);
        await using var _ = connector;
        var addresses = new List<string>();
        for (var i = 0; i < 3; i++)
            addresses.Add(await session.SendQueryAsync(JsonNode.Parse($$"""{"code": "import time\ntime.sleep(0.3)\nv = {{i}}\n"}""")));
        await Task.Delay(100);
        session.Abort();
        var again = await connector.Server.NextSessionAsync();
        for (var i = 0; i < 3; i++)
        {
            var replies = await again.RepliesAsync(addresses[i]);
            Assert.Equal(i, (int)Assert.Single(replies)["body"]!["pythonCallResults"]!["v"]!);
        }
    }

    [Fact]
    public async Task Notifications_sent_during_an_outage_wait_in_the_queue_and_go_out_after_the_reconnect()
    {
        var (connector, session) = await ConnectorUnderTest.ConnectAsync(python.Executor);
        await using var _ = connector;
        await session.QueryOneAsync("""{"code": "import asyncio\nasync def later():\n    await asyncio.sleep(0.5)\n    for i in range(5):\n        await connector_connection.send_notification({\"i\": i})\nasyncio.get_event_loop().create_task(later())\n"}""");
        session.Abort();
        var again = await connector.Server.NextSessionAsync();
        await again.WaitForAsync(frames => frames.Count(f => (string?)f["op"] == "notification") == 5);
        // Only notifications: the reply, when its send was cut by the abort, is sent again (at least once).
        Assert.Equal([0, 1, 2, 3, 4], again.Frames.Where(f => (string?)f["op"] == "notification").Select(f => (int)f["object"]!["i"]!));
    }

    [Fact]
    public async Task Connection_close_from_user_code_reconnects()
    {
        var (connector, session) = await ConnectorUnderTest.ConnectAsync(python.Executor);
        await using var _ = connector;
        await session.QueryOneAsync("""{"code": "import asyncio\nasync def later():\n    await asyncio.sleep(0.2)\n    await connector_connection.close()\nasyncio.get_event_loop().create_task(later())\n"}""");
        await AnswerAsync(await connector.Server.NextSessionAsync());
    }

    [Fact]
    public async Task Two_sources_get_one_connection_each()
    {
        var connector = await ConnectorUnderTest.StartAsync(python.Executor, o => o.Sources = ["a", "b"]);
        await using var _ = connector;
        var first = await connector.Server.NextSessionAsync();
        var second = await connector.Server.NextSessionAsync();
        Assert.Equal(["a", "b"], new[] { first.Source, second.Source }.Order());
        var reply = await first.QueryOneAsync("""{"code": "s = connector_connection.get_source()\n"}""");
        Assert.Equal(first.Source, (string)reply["body"]!["pythonCallResults"]!["s"]!);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task With_sendPings_a_server_that_stops_answering_pings_is_left_and_reconnected(bool sendPings)
    {
        var connector = await ConnectorUnderTest.StartAsync(python.Executor, o =>
        {
            o.SendPings = sendPings;
            o.PingInterval = TimeSpan.FromMilliseconds(300);
        });
        await using var _ = connector;
        var session = await connector.Server.NextSessionAsync();
        session.StallAfterNextFrame(TimeSpan.FromSeconds(4));
        await AnswerAsync(session);
        if (sendPings)
            await AnswerAsync(await connector.Server.NextSessionAsync(TimeSpan.FromSeconds(3)));
        else
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => connector.Server.NextSessionAsync(TimeSpan.FromSeconds(3)));
    }

    [Fact]
    public async Task A_server_that_never_answers_the_handshake_is_left_after_the_handshake_timeout()
    {
        var connector = await ConnectorUnderTest.StartAsync(python.Executor, o => o.HandshakeTimeout = TimeSpan.FromMilliseconds(500),
            server: s => s.AnswerValidate = false);
        await using var _ = connector;
        await WaitForAsync(() => connector.Server.Handshakes.Count >= 2 ? 1 : null);
        connector.Server.AnswerValidate = true;
        await AnswerAsync(await connector.Server.NextSessionAsync());
    }

    [Fact]
    public async Task P12_failOnConnectionError_ends_the_service_at_the_first_failure()
    {
        var connector = await ConnectorUnderTest.StartAsync(python.Executor, o =>
        {
            o.TargetServer = "http://127.0.0.1:1";
            o.FailOnConnectionError = true;
        });
        await using var _ = connector;
        var clock = Stopwatch.StartNew();
        await Assert.ThrowsAsync<WebSocketException>(() => connector.Service.ExecuteTask!.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(2), clock.Elapsed.ToString());
    }

    [Fact]
    public async Task P13_the_health_probe_opens_and_closes_as_user_code_declares()
    {
        var (connector, session) = await ConnectorUnderTest.ConnectAsync(python.Executor);
        await using var _ = connector;
        Assert.Null(connector.Service.IsHealthy);
        await session.QueryOneAsync("""{"code": "import asyncio\nasyncio.get_event_loop().create_task(connector_connection.declare_healthy())\n"}""");
        var port = await WaitForAsync(() => connector.Service.HealthProbePort);
        using (var client = new System.Net.Sockets.TcpClient())
            await client.ConnectAsync("127.0.0.1", port);
        var reply = await session.QueryOneAsync("""{"code": "h = connector_connection.is_healthy()\n"}""");
        Assert.True((bool)reply["body"]!["pythonCallResults"]!["h"]!);
        await session.QueryOneAsync("""{"code": "import asyncio\nasyncio.get_event_loop().create_task(connector_connection.declare_unhealthy())\n"}""");
        await WaitForAsync(() => connector.Service.IsHealthy == false ? 1 : (int?)null);
        using var refused = new System.Net.Sockets.TcpClient();
        await Assert.ThrowsAsync<System.Net.Sockets.SocketException>(() => refused.ConnectAsync("127.0.0.1", port));
    }

    private static async Task<int> WaitForAsync(Func<int?> value)
    {
        for (var i = 0; i < 100; i++)
        {
            if (value() is { } found)
                return found;
            await Task.Delay(50);
        }
        throw new TimeoutException("The condition did not hold in time.");
    }
}

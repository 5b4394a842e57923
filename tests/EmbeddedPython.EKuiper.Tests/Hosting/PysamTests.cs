using System.Text.RegularExpressions;
using EmbeddedPython.EKuiper.Tests.FakeEKuiper;

namespace EmbeddedPython.EKuiper.Tests.Hosting;

/// <summary>The unmodified pysam example plugin (spec §6.6) through a fake eKuiper: the transcript of spec §6.5.</summary>
[Collection(PluginHostCollection.Name)]
public sealed class PysamTests(PluginHostFixture fixture)
{
    private readonly FakeEKuiper.FakeEKuiper _ekuiper = fixture.Pysam;

    [Fact]
    public void Source_start_replies_ok_and_tuples_arrive_encoded_as_the_sdk_does()
    {
        using var source = new FakeSourcePeer("r1", "pyjsonStream", 0);
        Assert.Equal("ok", _ekuiper.Start("pyjson", "source", "r1", "pyjsonStream", 0, new { datasource = "ext2", format = "json" }));
        for (var i = 0; i < 3; i++)
            Assert.Equal("{\"message\": {\"name\": \"pyjson\", \"value\": 2021}, \"meta\": null}", source.ReceiveText());
        Assert.Equal("ok", _ekuiper.Stop("pyjson", "source", "r1", "pyjsonStream", 0, new { datasource = "ext2", format = "json" }));
    }

    [Fact]
    public void A_stopped_rule_restarts_and_its_source_emits_again()
    {
        for (var round = 0; round < 2; round++)
        {
            using var source = new FakeSourcePeer("r2", "pyjsonStream", 0);
            Assert.Equal("ok", _ekuiper.Start("pyjson", "source", "r2", "pyjsonStream", 0, new { datasource = "ext2" }));
            Assert.StartsWith("{\"message\": ", source.ReceiveText());
            // eKuiper closes its PULL first, then sends stop (spec §3.7).
            source.Dispose();
            Assert.Equal("ok", _ekuiper.Stop("pyjson", "source", "r2", "pyjsonStream", 0, new { datasource = "ext2" }));
        }
    }

    [Fact]
    public void Sink_with_requireAck_acks_each_message_with_an_empty_object()
    {
        using var sink = new FakeSinkPeer("r1", "print_0", 0);
        Assert.Equal("ok", _ekuiper.Start("print", "sink", "r1", "print_0", 0, new { requireAck = true }));
        sink.Connect();
        for (var i = 0; i < 3; i++)
        {
            sink.Send("[{\"name\":\"pyjson\",\"value\":2021}]");
            Assert.Equal("{}", sink.ReceiveAck());
        }
        Assert.Equal("ok", _ekuiper.Stop("print", "sink", "r1", "print_0", 0, new { requireAck = true }));
    }

    [Fact]
    public async Task Sink_without_requireAck_sends_no_acks_and_keeps_taking_messages()
    {
        // The original acks anyway; unread acks pile up until the sink dies after ~280 messages (spec §4.2, #3636).
        using var sink = new FakeSinkPeer("r3", "print_0", 0);
        Assert.Equal("ok", _ekuiper.Start("print", "sink", "r3", "print_0", 0, new { }));
        sink.Connect();
        for (var i = 0; i < 600; i++)
            sink.Send("[{\"name\":\"pyjson\",\"value\":2021}]");
        await Task.Delay(500);
        Assert.Null(sink.TryReceiveAck());
        Assert.Equal("ok", _ekuiper.Stop("print", "sink", "r3", "print_0", 0, new { }));
    }

    [Fact]
    public void Function_calls_answer_with_the_sdk_reply_bytes()
    {
        using var function = new FakeFunctionPeer("revert");
        Assert.Equal("ok", _ekuiper.Start("revert", "func"));
        Assert.Equal("{\"state\": true, \"result\": \"\"}",
            function.Call("{\"func\":\"Validate\",\"arg\":[{\"StreamName\":\"s\",\"Name\":\"name\",\"HasIndex\":false}]}"));
        Assert.Equal("{\"state\": true, \"result\": false}", function.Call("{\"func\":\"IsAggregate\",\"arg\":null}"));
        Assert.Equal("{\"state\": true, \"result\": \"nosjyp\"}",
            function.Call("{\"func\":\"Exec\",\"arg\":[\"pyjson\",\"{\\\"ruleId\\\":\\\"r1\\\",\\\"opId\\\":\\\"op2\\\",\\\"instanceId\\\":0,\\\"funcId\\\":0}\"]}"));
        var typeError = function.Call("{\"func\":\"Exec\",\"arg\":[123,\"{\\\"ruleId\\\":\\\"r1\\\",\\\"opId\\\":\\\"op2\\\",\\\"instanceId\\\":0,\\\"funcId\\\":0}\"]}");
        Assert.StartsWith("{\"state\": false, \"result\": \"Traceback (most recent call last):", typeError);
        Assert.Contains("TypeError: 'int' object is not subscriptable", typeError);
        Assert.Equal("{\"state\": false, \"result\": \"invalid arg\"}", function.Call("{\"func\":\"Exec\",\"arg\":[]}"));
        Assert.Equal("{\"state\": false, \"result\": \"invalid func Nope\"}", function.Call("{\"func\":\"Nope\",\"arg\":null}"));
        Assert.Matches(new Regex("invalid arg: .* ruleId, opId, instanceId and funcId are required"),
            function.Call("{\"func\":\"Exec\",\"arg\":[\"x\",\"{\\\"ruleId\\\":\\\"r1\\\"}\"]}"));
    }

    [Fact]
    public async Task A_function_still_answers_after_idling_past_several_keepalives()
    {
        using var function = new FakeFunctionPeer("revert");
        Assert.Equal("ok", _ekuiper.Start("revert", "func"));
        await Task.Delay(PluginHostFixture.Keepalive * 3.5);
        Assert.Equal("{\"state\": true, \"result\": \"cba\"}",
            function.Call("{\"func\":\"Exec\",\"arg\":[\"abc\",\"{\\\"ruleId\\\":\\\"r1\\\",\\\"opId\\\":\\\"op2\\\",\\\"instanceId\\\":0,\\\"funcId\\\":1}\"]}"));
    }

    [Fact]
    public void Unknown_symbols_types_and_stops_get_the_sdk_replies()
    {
        var unknown = _ekuiper.Start("nosuch", "source", "r1", "op1", 0);
        Assert.StartsWith("Traceback (most recent call last):", unknown);
        Assert.EndsWith("KeyError: 'nosuch'\n", unknown);
        Assert.Equal("symbol not found", _ekuiper.Start("pyjson", "bogus", "r1", "op1", 0));
        Assert.Equal("ok", _ekuiper.Stop("pyjson", "source", "never", "started", 0));
    }

    [Fact]
    public void A_source_start_without_rule_id_is_refused_with_a_clear_reply()
    {
        var reply = _ekuiper.Start("pyjson", "source", "", "op1", 0);
        Assert.Contains("meta.ruleId and meta.opId are required", reply);
    }

    [Fact]
    public void An_id_too_long_for_a_unix_socket_path_is_refused_naming_the_limit()
    {
        var reply = _ekuiper.Start("print", "sink", new string('r', 90), "print_0", 0, new { });
        Assert.Contains("107-byte limit", reply);
    }

    [Fact]
    public void The_plugin_reconnects_when_ekuipers_control_listener_restarts()
    {
        _ekuiper.RestartControl();
        Assert.Equal("ok", _ekuiper.Stop("pyjson", "source", "after", "restart", 0));
    }
}

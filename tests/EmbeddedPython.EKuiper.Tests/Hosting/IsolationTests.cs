using EmbeddedPython.EKuiper.Tests.FakeEKuiper;

namespace EmbeddedPython.EKuiper.Tests.Hosting;

/// <summary>Failing symbols report on their own channel and logs; other symbols and plugins go on.</summary>
[Collection(PluginHostCollection.Name)]
public sealed class IsolationTests(PluginHostFixture fixture)
{
    [Fact]
    public void A_source_whose_open_raises_ends_alone_while_another_plugins_source_keeps_emitting()
    {
        using var healthy = new FakeSourcePeer("iso", "pyjsonStream", 0);
        Assert.Equal("ok", fixture.Pysam.Start("pyjson", "source", "iso", "pyjsonStream", 0, new { }));
        using var bad = new FakeSourcePeer("iso", "bad", 0);
        Assert.Equal("ok", fixture.Faulty.Start("bad", "source", "iso", "bad", 0, new { }));
        Assert.Equal("{\"message\": {\"before\": \"failure\"}, \"meta\": null}", bad.ReceiveText());
        for (var i = 0; i < 3; i++)
            Assert.StartsWith("{\"message\": {\"name\": \"pyjson\"", healthy.ReceiveText());
        // The failed source already cleaned up; its stop still gets ok so eKuiper drops its record.
        Assert.Equal("ok", fixture.Faulty.Stop("bad", "source", "iso", "bad", 0, new { }));
        Assert.Equal("ok", fixture.Pysam.Stop("pyjson", "source", "iso", "pyjsonStream", 0, new { }));
    }

    [Fact]
    public async Task A_sink_whose_collect_raises_on_one_message_keeps_collecting_the_next()
    {
        using var sink = new FakeSinkPeer("iso", "fragile_0", 0);
        Assert.Equal("ok", fixture.Faulty.Start("fragile", "sink", "iso", "fragile_0", 0, new { requireAck = true }));
        sink.Connect();
        sink.Send("\"boom\"");
        sink.Send("\"fine\"");
        Assert.Equal("{}", sink.ReceiveAck());
        Assert.Equal(1L, await fixture.EvaluateAsync<long>("import faultysyms\nresult = len(faultysyms.collected)"));
        Assert.Equal("ok", fixture.Faulty.Stop("fragile", "sink", "iso", "fragile_0", 0, new { requireAck = true }));
    }

    [Fact]
    public void A_function_that_raises_answers_with_its_traceback_and_the_function_goes_on()
    {
        using var function = new FakeFunctionPeer("explode");
        Assert.Equal("ok", fixture.Faulty.Start("explode", "func"));
        for (var i = 0; i < 2; i++)
        {
            var reply = function.Call("{\"func\":\"Exec\",\"arg\":[\"{\\\"ruleId\\\":\\\"r\\\",\\\"opId\\\":\\\"o\\\",\\\"instanceId\\\":0,\\\"funcId\\\":0}\"]}");
            Assert.StartsWith("{\"state\": false, \"result\": \"Traceback", reply);
            Assert.Contains("ZeroDivisionError", reply);
        }
        Assert.Equal("{\"state\": false, \"result\": \"explode takes no arguments\"}", function.Call("{\"func\":\"Validate\",\"arg\":[{\"Val\":1}]}"));
    }

    [Fact]
    public void A_function_call_that_runs_too_long_is_interrupted_and_the_function_answers_again()
    {
        using var function = new FakeFunctionPeer("slow");
        Assert.Equal("ok", fixture.Faulty.Start("slow", "func"));
        var reply = function.Call("{\"func\":\"Exec\",\"arg\":[\"{\\\"ruleId\\\":\\\"r\\\",\\\"opId\\\":\\\"o\\\",\\\"instanceId\\\":0,\\\"funcId\\\":0}\"]}");
        Assert.Equal("{\"state\": false, \"result\": \"function slow did not return within 2 s and was interrupted\"}", reply);
        Assert.Equal("{\"state\": true, \"result\": false}", function.Call("{\"func\":\"IsAggregate\",\"arg\":null}"));
    }

    [Fact]
    public void Huge_function_errors_come_back_bounded_and_marked_as_cut_and_the_function_answers_again()
    {
        using var function = new FakeFunctionPeer("verbose");
        Assert.Equal("ok", fixture.Faulty.Start("verbose", "func"));

        var failed = BoundedResult(function.Call("{\"func\":\"Exec\",\"arg\":[\"{\\\"ruleId\\\":\\\"r\\\",\\\"opId\\\":\\\"o\\\",\\\"instanceId\\\":0,\\\"funcId\\\":0}\"]}"));
        Assert.StartsWith("Traceback", failed);
        Assert.EndsWith("ééé", failed.TrimEnd('\n'));
        var invalid = BoundedResult(function.Call("{\"func\":\"Validate\",\"arg\":[{\"Val\":1}]}"));
        Assert.StartsWith("vvv", invalid);
        Assert.Equal("{\"state\": true, \"result\": false}", function.Call("{\"func\":\"IsAggregate\",\"arg\":null}"));
    }

    [Fact]
    public void A_huge_start_error_comes_back_bounded_and_marked_as_cut()
    {
        using var peer = new FakeSourcePeer("iso", "wordy", 0);
        var reply = fixture.Faulty.Start("wordy", "source", "iso", "wordy", 0, new { });

        Assert.StartsWith("Traceback", reply);
        Assert.InRange(reply.Length, 1, ErrorText.DefaultMaxLength);
        Assert.Contains(" characters] … ", reply);
        Assert.EndsWith("www", reply.TrimEnd('\n'));
    }

    private static string BoundedResult(string reply)
    {
        using var json = System.Text.Json.JsonDocument.Parse(reply);
        Assert.False(json.RootElement.GetProperty("state").GetBoolean());
        var result = json.RootElement.GetProperty("result").GetString()!;
        Assert.InRange(result.Length, 1, ErrorText.DefaultMaxLength);
        Assert.Contains(" characters] … ", result);
        return result;
    }
}

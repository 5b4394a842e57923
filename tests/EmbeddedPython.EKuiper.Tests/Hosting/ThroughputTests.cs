using System.Diagnostics;
using EmbeddedPython.EKuiper.Tests.FakeEKuiper;
using Xunit.Abstractions;

namespace EmbeddedPython.EKuiper.Tests.Hosting;

/// <summary>A rule "SELECT * FROM counter → collector": the fake eKuiper forwards every source tuple to the sink.</summary>
[Collection(PluginHostCollection.Name)]
public sealed class ThroughputTests(PluginHostFixture fixture, ITestOutputHelper output)
{
    [Fact]
    public async Task Ten_thousand_tuples_go_from_a_source_through_a_sink_in_order_with_nothing_lost()
    {
        const int count = 10_000;
        var ekuiper = fixture.Relay;
        using var source = new FakeSourcePeer("rt", "counter", 0);
        using var sink = new FakeSinkPeer("rt", "collector_0", 0);
        Assert.Equal("ok", ekuiper.Start("collector", "sink", "rt", "collector_0", 0, new { requireAck = false }));
        sink.Connect();
        var watch = Stopwatch.StartNew();
        Assert.Equal("ok", ekuiper.Start("counter", "source", "rt", "counter", 0, new { count }));
        for (var i = 0; i < count; i++)
            sink.Send(source.Receive());
        var sourceDone = watch.Elapsed;
        Assert.Equal(count, await ReceivedAsync(count));
        var elapsed = watch.Elapsed;
        output.WriteLine($"{count} tuples source -> sink in {elapsed.TotalMilliseconds:0} ms ({count / elapsed.TotalSeconds:0} msg/s; source side alone {count / sourceDone.TotalSeconds:0} msg/s)");

        var ordered = await fixture.EvaluateAsync<bool>("""
            import json, relaysyms
            seqs = [json.loads(d)["message"]["seq"] for d in relaysyms.received]
            result = seqs == list(range(len(seqs)))
            """);
        Assert.True(ordered);
        Assert.Equal("ok", ekuiper.Stop("counter", "source", "rt", "counter", 0, new { count }));
        Assert.Equal("ok", ekuiper.Stop("collector", "sink", "rt", "collector_0", 0, new { requireAck = false }));
    }

    [Fact]
    public void A_rule_stopped_and_started_again_at_once_gets_every_tuple_of_each_run()
    {
        // The stopped source's thread ends after the new one started under the same key: it must leave that one alone.
        const int count = 300;
        using var source = new FakeSourcePeer("rs", "counter", 0);
        for (var round = 0; round < 10; round++)
        {
            Assert.Equal("ok", fixture.Relay.Start("counter", "source", "rs", "counter", 0, new { count }));
            for (var i = 0; i < count; i++)
            {
                using var tuple = System.Text.Json.JsonDocument.Parse(source.Receive());
                Assert.Equal(i, tuple.RootElement.GetProperty("message").GetProperty("seq").GetInt32());
            }
            Assert.Equal("ok", fixture.Relay.Stop("counter", "source", "rs", "counter", 0, new { count }));
        }
    }

    [Fact]
    public async Task A_source_outlives_an_ekuiper_that_stops_reading_for_two_seconds_and_loses_nothing()
    {
        // The original's emit raises after 1 s of back-pressure and the source thread dies (spec §4.1, §7 #4).
        const int count = 3000;
        const int pad = 1000; // 3 MB in all: more than nng's queues and the kernel's socket buffers hold
        using var source = new FakeSourcePeer("rb", "counter", 0);
        Assert.Equal("ok", fixture.Relay.Start("counter", "source", "rb", "counter", 0, new { count, pad }));
        await Task.Delay(TimeSpan.FromSeconds(2));
        Assert.True(await fixture.EvaluateAsync<long>("import relaysyms\nresult = relaysyms.emitted") < count, "the source was held back");
        for (var i = 0; i < count; i++)
        {
            using var tuple = System.Text.Json.JsonDocument.Parse(source.Receive());
            Assert.Equal(i, tuple.RootElement.GetProperty("message").GetProperty("seq").GetInt32());
        }
        Assert.Equal(count, await fixture.EvaluateAsync<long>("import relaysyms\nresult = relaysyms.emitted"));
        Assert.Equal("ok", fixture.Relay.Stop("counter", "source", "rb", "counter", 0, new { count, pad }));
    }

    // Polled from .NET: waiting inside Python would hold the interpreter thread the sink deliveries need.
    private async Task<long> ReceivedAsync(long count)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        long received;
        while ((received = await fixture.EvaluateAsync<long>("import relaysyms\nresult = len(relaysyms.received)")) < count && DateTime.UtcNow < deadline)
            await Task.Delay(20);
        return received;
    }

    [Fact]
    public async Task A_sink_with_requireAck_acks_every_one_of_a_thousand_messages()
    {
        const int count = 1000;
        var ekuiper = fixture.Relay;
        using var sink = new FakeSinkPeer("ra", "collector_0", 0);
        Assert.Equal("ok", ekuiper.Start("collector", "sink", "ra", "collector_0", 0, new { requireAck = true }));
        sink.Connect();
        var watch = Stopwatch.StartNew();
        for (var i = 0; i < count; i++)
        {
            // eKuiper waits for each ack before the next send when requireAck is set.
            sink.Send($"[{{\"n\":{i}}}]");
            Assert.Equal("{}", sink.ReceiveAck());
        }
        output.WriteLine($"{count} acked sink messages in {watch.ElapsedMilliseconds} ms ({count / watch.Elapsed.TotalSeconds:0} msg/s)");
        Assert.Equal(count, await ReceivedAsync(count));
        Assert.Equal("ok", ekuiper.Stop("collector", "sink", "ra", "collector_0", 0, new { requireAck = true }));
    }
}

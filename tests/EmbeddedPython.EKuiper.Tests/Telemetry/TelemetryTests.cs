using System.Diagnostics.Metrics;
using EmbeddedPython.EKuiper.Tests.FakeEKuiper;

namespace EmbeddedPython.EKuiper.Tests.Telemetry;

[Collection(PluginHostCollection.Name)]
public sealed class TelemetryTests(PluginHostFixture fixture)
{
    [Fact]
    public async Task The_meter_counts_commands_and_sink_messages()
    {
        var counts = new Dictionary<string, long>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == EKuiperTelemetry.MeterName)
                l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, _, _) =>
        {
            lock (counts)
                counts[instrument.Name] = counts.GetValueOrDefault(instrument.Name) + value;
        });
        listener.Start();

        using var sink = new FakeSinkPeer("tm", "collector_0", 0);
        Assert.Equal("ok", fixture.Relay.Start("collector", "sink", "tm", "collector_0", 0, new { requireAck = true }));
        sink.Connect();
        for (var i = 0; i < 5; i++)
        {
            sink.Send("[{}]");
            Assert.Equal("{}", sink.ReceiveAck());
        }
        Assert.Equal("ok", fixture.Relay.Stop("collector", "sink", "tm", "collector_0", 0, new { requireAck = true }));
        await Task.Yield();

        lock (counts)
        {
            Assert.Equal(5, counts.GetValueOrDefault("ekuiper.sink.messages"));
            Assert.Equal(2, counts.GetValueOrDefault("ekuiper.commands"));
        }
    }
}

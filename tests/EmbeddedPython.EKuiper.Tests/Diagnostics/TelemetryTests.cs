using System.Diagnostics;
using System.Diagnostics.Metrics;
using EmbeddedPython.EKuiper.Diagnostics;
using EmbeddedPython.EKuiper.Tests.FakeEKuiper;

namespace EmbeddedPython.EKuiper.Tests.Diagnostics;

[Collection(PluginHostCollection.Name)]
public sealed class TelemetryTests(PluginHostFixture fixture)
{
    [Fact]
    public async Task The_meter_counts_commands_and_sink_messages_and_each_command_is_an_activity()
    {
        var counts = new Dictionary<string, long>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == EKuiperTelemetry.Name)
                l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, _, _) =>
        {
            lock (counts)
                counts[instrument.Name] = counts.GetValueOrDefault(instrument.Name) + value;
        });
        listener.Start();
        var commands = new List<Activity>();
        using var activities = new ActivityListener
        {
            ShouldListenTo = source => source.Name == EKuiperTelemetry.Name,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllData,
            ActivityStopped = activity =>
            {
                if (activity.GetTagItem("ekuiper.plugin") as string == "relay")
                    lock (commands)
                        commands.Add(activity);
            },
        };
        ActivitySource.AddActivityListener(activities);

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
            Assert.Equal(5, counts.GetValueOrDefault("embeddedpython.ekuiper.sink.messages"));
            Assert.Equal(2, counts.GetValueOrDefault("embeddedpython.ekuiper.commands"));
        }
        lock (commands)
            Assert.Equal(["start", "stop"], commands.Select(a => (string)a.GetTagItem("ekuiper.command")!));
    }
}

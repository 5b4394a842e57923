using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace EmbeddedPython.Tasks.Tests.Telemetry;

/// <summary>The meter EmbeddedPython.Tasks counts starts and ends by state.</summary>
[Collection(TaskHostCollection.Name)]
public sealed class TelemetryTests(TaskHostFixture fixture) : TaskTestBase(fixture)
{
    [Fact]
    public async Task Starts_and_ends_are_counted_with_the_end_state()
    {
        var measured = new ConcurrentQueue<(string Instrument, long Value, string? State)>();
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == "EmbeddedPython.Tasks")
                    l.EnableMeasurementEvents(instrument);
            },
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            string? state = null;
            foreach (var tag in tags)
            {
                if (tag.Key == "state")
                    state = tag.Value as string;
            }
            measured.Enqueue((instrument.Name, value, state));
        });
        listener.Start();

        await RunAsync(Guide, "hello_world.py");
        await RunAsync(Limits, "exit3.py");

        Assert.Contains(measured, m => m is ("ompy.tasks.started", 1, null));
        Assert.Contains(measured, m => m is ("ompy.tasks.ended", 1, "closed"));
        Assert.Contains(measured, m => m is ("ompy.tasks.ended", 1, "failed"));
        Assert.Contains(measured, m => m is ("ompy.tasks.running", -1, null));
    }
}

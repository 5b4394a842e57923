using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using EmbeddedPython.Vantiq.Tests.FakeVantiq;

namespace EmbeddedPython.Vantiq.Tests.Diagnostics;

/// <summary>The EmbeddedPython.Vantiq meter counts queries, their durations and the ones the connector ended itself.</summary>
[Collection(PythonCollection.Name)]
public sealed class TelemetryTests(PythonFixture python)
{
    [Fact]
    public async Task Queries_durations_and_timeouts_are_measured_per_source()
    {
        var measurements = new ConcurrentQueue<(string Instrument, double Value, string? Tag)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == "EmbeddedPython.Vantiq")
                l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Record(instrument, value, tags));
        listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Record(instrument, value, tags));
        listener.Start();

        var connector = await ConnectorUnderTest.StartAsync(python.Executor, o =>
        {
            o.Sources = ["metricsSrc"];
            o.QueryTimeout = TimeSpan.FromMilliseconds(500);
        });
        await using var _ = connector;
        var session = await connector.Server.NextSessionAsync();
        await session.QueryOneAsync("""{"code": "v = 1\n"}""");
        await session.QueryOneAsync("""{"code": "import time\ntime.sleep(5)\n"}""");
        await Task.Delay(100);

        Assert.Equal(2, measurements.Count(m => m.Instrument == "embeddedpython.vantiq.queries" && m.Tag == "metricsSrc"));
        Assert.Equal(2, measurements.Count(m => m.Instrument == "embeddedpython.vantiq.query.duration" && m.Tag == "metricsSrc"));
        Assert.Contains(measurements, m => m.Instrument == "embeddedpython.vantiq.queries.unanswered" && m.Tag == "timeout");
        Assert.Contains(measurements, m => m.Instrument == "embeddedpython.vantiq.sessions");

        void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            string? tag = null;
            foreach (var pair in tags)
                tag = pair.Value as string;
            measurements.Enqueue((instrument.Name, value, tag));
        }
    }
}

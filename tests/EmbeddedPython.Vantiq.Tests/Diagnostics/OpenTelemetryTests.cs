using System.Diagnostics;
using EmbeddedPython.Vantiq.Tests.FakeVantiq;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace EmbeddedPython.Vantiq.Tests.Diagnostics;

/// <summary>One <c>AddSource("EmbeddedPython*")</c>/<c>AddMeter("EmbeddedPython*")</c> sees the adapter and the core
/// together: a query's Python call is a child of the query's activity.</summary>
[Collection(PythonCollection.Name)]
public sealed class OpenTelemetryTests(PythonFixture python)
{
    [Fact]
    public async Task A_query_and_its_python_call_share_one_trace_and_are_counted()
    {
        var spans = new List<Activity>();
        var metrics = new List<Metric>();
        using var tracing = Sdk.CreateTracerProviderBuilder().AddSource("EmbeddedPython*").AddInMemoryExporter(spans).Build();
        using var metering = Sdk.CreateMeterProviderBuilder().AddMeter("EmbeddedPython*").AddInMemoryExporter(metrics).Build();

        var connector = await ConnectorUnderTest.StartAsync(python.Executor, o => o.Sources = ["otelSrc"]);
        await using var _ = connector;
        var session = await connector.Server.NextSessionAsync();
        await session.QueryOneAsync("""{"code": "traced = 1\n"}""");
        // The query's activity ends just after its reply frame is queued.
        for (var waited = 0; waited < 100 && !Ended("vantiq.query"); waited++)
            await Task.Delay(50);
        tracing!.ForceFlush();
        metering!.ForceFlush();

        var query = Assert.Single(spans, s => s.OperationName == "vantiq.query");
        var request = Assert.Single(spans, s => s.OperationName == "python.call" && s.TraceId == query.TraceId);
        Assert.Equal(query.SpanId, request.ParentSpanId);
        Assert.Contains(metrics, m => m.MeterName == "EmbeddedPython.Vantiq" && m.Name == "embeddedpython.vantiq.queries");
        Assert.Contains(metrics, m => m.MeterName == "EmbeddedPython" && m.Name == "embeddedpython.requests");

        bool Ended(string name)
        {
            lock (spans)
                return spans.Any(s => s.OperationName == name);
        }
    }
}

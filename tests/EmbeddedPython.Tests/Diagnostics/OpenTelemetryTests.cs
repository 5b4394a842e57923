using System.Diagnostics;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace EmbeddedPython.Tests.Diagnostics;

/// <summary>The wiring the README shows (<c>AddSource("EmbeddedPython*")</c>, <c>AddMeter("EmbeddedPython*")</c>)
/// sees the executor's activities and metrics through the OpenTelemetry SDK.</summary>
[Collection(PythonCollection.Name)]
public sealed class OpenTelemetryTests(PythonFixture python)
{
    [Fact]
    public async Task A_request_is_traced_as_a_child_of_the_callers_activity_and_counted()
    {
        var spans = new List<Activity>();
        var metrics = new List<Metric>();
        using var tracing = Sdk.CreateTracerProviderBuilder().AddSource("EmbeddedPython*", "OpenTelemetryTests").AddInMemoryExporter(spans).Build();
        using var metering = Sdk.CreateMeterProviderBuilder().AddMeter("EmbeddedPython*").AddInMemoryExporter(metrics).Build();
        using var source = new ActivitySource("OpenTelemetryTests");

        ActivityTraceId traceId;
        using (var caller = source.StartActivity("caller")!)
        {
            traceId = caller.TraceId;
            await python.Executor.ExecuteAsync("y = 1");
        }
        await Assert.ThrowsAsync<PythonException>(() => python.Executor.ExecuteAsync("raise ValueError('counted')"));
        tracing!.ForceFlush();
        // The counters are updated on the interpreter thread just after the caller gets its outcome.
        for (var waited = 0; waited < 100 && (Sum(metrics, "embeddedpython.requests") < 2 || Sum(metrics, "embeddedpython.errors") < 1); waited++)
        {
            await Task.Delay(50);
            metrics.Clear();
            metering!.ForceFlush();
        }

        var request = Assert.Single(spans, s => s.OperationName == "python.request" && s.TraceId == traceId);
        Assert.Equal("EmbeddedPython", request.Source.Name);
        Assert.Equal(spans.Single(s => s.OperationName == "caller").SpanId, request.ParentSpanId);
        Assert.True(Sum(metrics, "embeddedpython.requests") >= 2);
        Assert.True(Sum(metrics, "embeddedpython.errors") >= 1);
        Assert.Contains(metrics, m => m.Name == "embeddedpython.run.duration");
    }

    private static long Sum(List<Metric> metrics, string name)
    {
        long total = 0;
        foreach (var metric in metrics.Where(m => m.Name == name))
            foreach (ref readonly var point in metric.GetMetricPoints())
                total += point.GetSumLong();
        return total;
    }
}

using System.Collections.Concurrent;
using System.Diagnostics;
using EmbeddedPython.WasmCloud.Tests.Infrastructure;

namespace EmbeddedPython.WasmCloud.Tests.Diagnostics;

[Collection(LatticeCollection.Name)]
public sealed class TelemetryTests(LatticeFixture lattice)
{
    [Fact]
    public async Task An_invocation_activity_continues_the_trace_the_host_sent()
    {
        var activities = new ConcurrentQueue<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == "EmbeddedPython.WasmCloud",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activities.Enqueue,
        };
        ActivitySource.AddActivityListener(listener);
        await using var provider = await RunningProvider.StartLinkedAsync(lattice);
        var (host, actor) = (provider.Host, provider.Actor);
        var traceId = ActivityTraceId.CreateRandom();
        var parent = ActivitySpanId.CreateRandom();
        var invocation = host.Invocation(actor, "Python.fail", FakeWasmCloudHost.CborArgument(1L)) with
        {
            TraceContext = new Dictionary<string, string> { ["traceparent"] = $"00-{traceId}-{parent}-01" },
        };

        await host.SendAsync(invocation);

        var activity = Assert.Single(activities, a => Equals(a.GetTagItem("wasmcloud.invocation_id"), invocation.Id));
        Assert.Equal(traceId, activity.TraceId);
        Assert.Equal(parent, activity.ParentSpanId);
        Assert.Equal("Python.fail", activity.GetTagItem("wasmcloud.operation"));
        Assert.Equal(ActivityStatusCode.Error, activity.Status);
    }
}

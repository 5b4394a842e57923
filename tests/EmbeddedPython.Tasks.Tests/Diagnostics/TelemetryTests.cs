using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace EmbeddedPython.Tasks.Tests.Diagnostics;

/// <summary>The meter EmbeddedPython.Tasks counts starts and ends by state; its activity source traces starts.</summary>
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

        Assert.Contains(measured, m => m is ("embeddedpython.tasks.started", 1, null));
        Assert.Contains(measured, m => m is ("embeddedpython.tasks.ended", 1, "closed"));
        Assert.Contains(measured, m => m is ("embeddedpython.tasks.ended", 1, "failed"));
        Assert.Contains(measured, m => m is ("embeddedpython.tasks.running", -1, null));
    }

    [Fact]
    public async Task Starting_a_task_and_its_child_is_traced_with_the_script_and_the_pid()
    {
        var started = new ConcurrentQueue<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == "EmbeddedPython.Tasks",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = started.Enqueue,
        };
        ActivitySource.AddActivityListener(listener);

        var (parent, _) = await RunAsync(Guide, "test_parent.py");
        await Tasks.WaitAsync(ChildOf(parent.Pid)).WaitAsync(Patience);

        var own = started.Where(a => a.OperationName == "tasks.start").ToList();
        Assert.Contains(own, a => (string?)a.GetTagItem("embeddedpython.tasks.script") == "test_parent.py"
            && (string?)a.GetTagItem("embeddedpython.tasks.pid") == parent.Pid.ToString());
        Assert.Contains(own, a => (string?)a.GetTagItem("embeddedpython.tasks.parent_pid") == parent.Pid.ToString());
    }
}

using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace EmbeddedPython.Tasks.Diagnostics;

/// <summary>Traces and metrics of the task host: the <see cref="ActivitySource"/> and the <see cref="Meter"/>
/// <c>EmbeddedPython.Tasks</c>, instruments <c>embeddedpython.tasks.*</c>.</summary>
internal static class Telemetry
{
    public const string Name = "EmbeddedPython.Tasks";

    public static readonly ActivitySource Source = new(Name);

    private static readonly Meter Meter = new(Name);

    public static readonly Counter<long> Started = Meter.CreateCounter<long>("embeddedpython.tasks.started", "{task}", "Tasks started, children included.");

    public static readonly Counter<long> Ended = Meter.CreateCounter<long>("embeddedpython.tasks.ended", "{task}", "Tasks ended, tagged with their state.");

    public static readonly UpDownCounter<long> Running = Meter.CreateUpDownCounter<long>("embeddedpython.tasks.running", "{task}", "Tasks running now.");

    public static readonly Histogram<double> Duration = Meter.CreateHistogram<double>("embeddedpython.tasks.duration", "s", "How long tasks ran, tagged with their state.");

    /// <summary>The span of starting one task (checks, books, its thread started); null when nobody listens.</summary>
    public static Activity? StartingTask(string script, Guid? parentPid)
    {
        if (!Source.HasListeners())
            return null;
        var activity = Source.StartActivity("tasks.start", ActivityKind.Internal);
        activity?.SetTag("embeddedpython.tasks.script", script);
        if (parentPid is { } parent)
            activity?.SetTag("embeddedpython.tasks.parent_pid", parent.ToString());
        return activity;
    }
}

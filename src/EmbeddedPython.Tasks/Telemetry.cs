using System.Diagnostics.Metrics;

namespace EmbeddedPython.Tasks;

/// <summary>Metrics of the task host, on the meter <c>EmbeddedPython.Tasks</c>.</summary>
internal static class Telemetry
{
    public const string MeterName = "EmbeddedPython.Tasks";

    private static readonly Meter Meter = new(MeterName);

    public static readonly Counter<long> Started = Meter.CreateCounter<long>("ompy.tasks.started", "{task}", "Tasks started, children included.");

    public static readonly Counter<long> Ended = Meter.CreateCounter<long>("ompy.tasks.ended", "{task}", "Tasks ended, tagged with their state.");

    public static readonly UpDownCounter<long> Running = Meter.CreateUpDownCounter<long>("ompy.tasks.running", "{task}", "Tasks running now.");

    public static readonly Histogram<double> Duration = Meter.CreateHistogram<double>("ompy.tasks.duration", "s", "How long tasks ran, tagged with their state.");
}

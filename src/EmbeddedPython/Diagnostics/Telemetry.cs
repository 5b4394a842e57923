using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace EmbeddedPython.Diagnostics;

/// <summary>The one <see cref="ActivitySource"/> and <see cref="Meter"/> of the package, both named "EmbeddedPython".</summary>
internal static class Telemetry
{
    public const string Name = "EmbeddedPython";

    public static readonly ActivitySource Source = new(Name);
    private static readonly Meter s_meter = new(Name);
    private static long s_queueLength;

    private static readonly Counter<long> s_requests = s_meter.CreateCounter<long>("embeddedpython.requests", description: "Requests run by the interpreter thread.");
    private static readonly Counter<long> s_errors = s_meter.CreateCounter<long>("embeddedpython.errors", description: "Requests that ended with a Python or request error.");
    private static readonly Counter<long> s_timeouts = s_meter.CreateCounter<long>("embeddedpython.timeouts", description: "Requests stopped by their time limit.");
    private static readonly Histogram<double> s_runTime = s_meter.CreateHistogram<double>("embeddedpython.run.duration", unit: "ms", description: "Time a request's code held the interpreter thread.");

    static Telemetry()
    {
        s_meter.CreateObservableGauge("embeddedpython.queue.length", () => Interlocked.Read(ref s_queueLength), description: "Requests waiting for the interpreter thread.");
    }

    public static void QueueChanged(int delta) => Interlocked.Add(ref s_queueLength, delta);

    public static void RequestRan(long startTimestamp)
    {
        s_requests.Add(1);
        if (s_runTime.Enabled)
            s_runTime.Record(Stopwatch.GetElapsedTime(startTimestamp).TotalMilliseconds);
    }

    public static void RequestFailed(Exception error)
    {
        if (error is PythonTimeoutException)
            s_timeouts.Add(1);
        else
            s_errors.Add(1);
    }

    public static void RequestTimedOut() => s_timeouts.Add(1);
}

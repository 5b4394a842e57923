using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace EmbeddedPython.Diagnostics;

/// <summary>The one <see cref="ActivitySource"/> and <see cref="Meter"/> of the package, both named "EmbeddedPython".
/// Activities and the counts of requests carry the <c>interpreter</c> tag ("main", "sub-1", …) that ran them.</summary>
internal static class Telemetry
{
    public const string Name = "EmbeddedPython";

    public static readonly ActivitySource Source = new(Name);
    private static readonly Meter s_meter = new(Name);

    private static readonly Counter<long> s_requests = s_meter.CreateCounter<long>("embeddedpython.requests", description: "Requests run by the interpreter thread.");
    private static readonly Counter<long> s_errors = s_meter.CreateCounter<long>("embeddedpython.errors", description: "Requests that ended with a Python or request error.");
    private static readonly Counter<long> s_timeouts = s_meter.CreateCounter<long>("embeddedpython.timeouts", description: "Requests stopped by their time limit.");
    private static readonly Histogram<double> s_runTime = s_meter.CreateHistogram<double>("embeddedpython.run.duration", unit: "ms", description: "Time a request's code held the interpreter thread.");

    static Telemetry()
    {
        s_meter.CreateObservableGauge("embeddedpython.queue.length", Execution.Interpreter.QueueLengths, description: "Requests waiting for an interpreter thread, per interpreter.");
    }

    /// <summary>The tag that names the interpreter of a request.</summary>
    public const string InterpreterTag = "interpreter";

    public static void RequestRan(long startTimestamp, string interpreter)
    {
        var tag = new KeyValuePair<string, object?>(InterpreterTag, interpreter);
        s_requests.Add(1, tag);
        if (s_runTime.Enabled)
            s_runTime.Record(Stopwatch.GetElapsedTime(startTimestamp).TotalMilliseconds, tag);
    }

    public static void RequestFailed(Exception error, string interpreter)
    {
        var tag = new KeyValuePair<string, object?>(InterpreterTag, interpreter);
        if (error is PythonTimeoutException)
            s_timeouts.Add(1, tag);
        else
            s_errors.Add(1, tag);
    }

    public static void RequestTimedOut(string interpreter) => s_timeouts.Add(1, new KeyValuePair<string, object?>(InterpreterTag, interpreter));
}

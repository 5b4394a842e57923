using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace EmbeddedPython.Vantiq.Diagnostics;

/// <summary>The package's one <see cref="ActivitySource"/> and <see cref="Meter"/>, both named "EmbeddedPython.Vantiq",
/// with instruments named <c>embeddedpython.vantiq.*</c>.</summary>
internal static class Telemetry
{
    public const string Name = "EmbeddedPython.Vantiq";

    public static readonly ActivitySource Source = new(Name);
    private static readonly Meter s_meter = new(Name);

    private static readonly Counter<long> s_queries = s_meter.CreateCounter<long>("embeddedpython.vantiq.queries", description: "Queries received.");
    private static readonly Counter<long> s_unanswered = s_meter.CreateCounter<long>("embeddedpython.vantiq.queries.unanswered",
        description: "Queries the connector ended itself: time limit (reason=timeout) or self-returning code that never answered (reason=noresponse).");
    private static readonly Histogram<double> s_duration = s_meter.CreateHistogram<double>("embeddedpython.vantiq.query.duration", unit: "ms", description: "From a query's arrival to its end.");
    private static readonly Counter<long> s_sessions = s_meter.CreateCounter<long>("embeddedpython.vantiq.sessions", description: "Connections that reached configureExtension.");
    private static readonly Counter<long> s_failures = s_meter.CreateCounter<long>("embeddedpython.vantiq.connection.failures", description: "Connection attempts or sessions that failed.");
    private static readonly Counter<long> s_dropped = s_meter.CreateCounter<long>("embeddedpython.vantiq.frames.dropped", description: "Outgoing frames dropped: queue full or waited too long.");

    public static void QueryStarted(string source) => s_queries.Add(1, new KeyValuePair<string, object?>("source", source));

    public static void QueryEnded(string source, long startTimestamp)
    {
        if (s_duration.Enabled)
            s_duration.Record(Stopwatch.GetElapsedTime(startTimestamp).TotalMilliseconds, new KeyValuePair<string, object?>("source", source));
    }

    public static void Unanswered(string reason) => s_unanswered.Add(1, new KeyValuePair<string, object?>("reason", reason));

    public static void SessionStarted() => s_sessions.Add(1);

    public static void ConnectionFailed() => s_failures.Add(1);

    public static void FrameDropped() => s_dropped.Add(1);
}

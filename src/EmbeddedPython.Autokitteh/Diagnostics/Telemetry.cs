using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace EmbeddedPython.Autokitteh.Diagnostics;

/// <summary>The package's one ActivitySource and Meter, both named <c>EmbeddedPython.Autokitteh</c>. gRPC and
/// ASP.NET Core already measure calls and their durations; these add what only this package knows.</summary>
internal static class Telemetry
{
    public const string Name = "EmbeddedPython.Autokitteh";

    public static readonly ActivitySource Source = new(Name);

    private static readonly Meter Meter = new(Name);

    /// <summary>autokitteh sessions that ended, tagged with their outcome (ok or error).</summary>
    public static readonly Counter<long> Sessions = Meter.CreateCounter<long>(
        "embeddedpython.autokitteh.sessions", description: "autokitteh sessions ended, by outcome");

    /// <summary>Calls a durable session announced as activities.</summary>
    public static readonly Counter<long> Activities = Meter.CreateCounter<long>(
        "embeddedpython.autokitteh.activities", description: "Calls run as autokitteh activities");
}

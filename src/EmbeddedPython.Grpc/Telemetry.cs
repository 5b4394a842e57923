using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace EmbeddedPython.Grpc;

/// <summary>The package's one ActivitySource and Meter, both named <c>EmbeddedPython.Grpc</c>. gRPC and
/// ASP.NET Core already measure calls and their durations; these add what only this package knows.</summary>
internal static class Telemetry
{
    public const string Name = "EmbeddedPython.Grpc";

    public static readonly ActivitySource Source = new(Name);

    private static readonly Meter Meter = new(Name);

    /// <summary>Executor service calls, tagged with the gRPC status they ended with.</summary>
    public static readonly Counter<long> ExecutorCalls = Meter.CreateCounter<long>(
        "embeddedpython.grpc.executor.calls", description: "Calls of the executor service, by gRPC status");

    /// <summary>autokitteh sessions that ended, tagged with their outcome (ok or error).</summary>
    public static readonly Counter<long> Sessions = Meter.CreateCounter<long>(
        "embeddedpython.grpc.autokitteh.sessions", description: "autokitteh sessions ended, by outcome");

    /// <summary>Calls a durable session announced as activities.</summary>
    public static readonly Counter<long> Activities = Meter.CreateCounter<long>(
        "embeddedpython.grpc.autokitteh.activities", description: "Calls run as autokitteh activities");
}

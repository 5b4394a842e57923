using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace EmbeddedPython.Grpc.Diagnostics;

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
}

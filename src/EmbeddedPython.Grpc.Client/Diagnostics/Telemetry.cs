using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace EmbeddedPython.Grpc.Client.Diagnostics;

/// <summary>The package's one ActivitySource and Meter, both named <c>EmbeddedPython.Grpc.Client</c>. Each request
/// or call is a client activity whose trace context travels to the server in the call's metadata.</summary>
internal static class Telemetry
{
    public const string Name = "EmbeddedPython.Grpc.Client";

    public static readonly ActivitySource Source = new(Name);

    private static readonly Meter Meter = new(Name);

    /// <summary>Requests and calls sent, tagged with the method and the gRPC status they ended with.</summary>
    public static readonly Counter<long> Calls = Meter.CreateCounter<long>(
        "embeddedpython.grpc.client.calls", description: "Requests and calls sent to remote Python servers, by method and gRPC status");
}

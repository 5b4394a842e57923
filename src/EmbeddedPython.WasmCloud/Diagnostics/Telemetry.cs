using System.Diagnostics;
using System.Diagnostics.Metrics;
using EmbeddedPython.WasmCloud.Wire;

namespace EmbeddedPython.WasmCloud.Diagnostics;

/// <summary>The package's one ActivitySource and Meter, both named <c>EmbeddedPython.WasmCloud</c>; instruments
/// are named <c>embeddedpython.wasmcloud.*</c>.</summary>
internal static class Telemetry
{
    public const string Name = "EmbeddedPython.WasmCloud";

    private static readonly ActivitySource Source = new(Name);
    private static readonly Meter Meter = new(Name);
    private static readonly Counter<long> Invocations = Meter.CreateCounter<long>("embeddedpython.wasmcloud.invocations", description: "Invocations answered, tagged by outcome (ok or error).");
    private static readonly Histogram<double> Duration = Meter.CreateHistogram<double>("embeddedpython.wasmcloud.invocation.duration", "ms", "Time from receiving an invocation to its response.");

    /// <summary>An activity for one invocation, continuing the caller's trace when the host sent W3C trace context.</summary>
    public static Activity? StartInvocation(Invocation invocation)
    {
        ActivityContext parent = default;
        if (invocation.TraceContext is { } trace && trace.TryGetValue("traceparent", out var traceParent))
            ActivityContext.TryParse(traceParent, trace.GetValueOrDefault("tracestate"), out parent);
        var activity = Source.StartActivity("wasmcloud invoke", ActivityKind.Server, parent);
        activity?.SetTag("wasmcloud.operation", invocation.Operation);
        activity?.SetTag("wasmcloud.invocation_id", invocation.Id);
        return activity;
    }

    public static void Answered(Activity? activity, InvocationResponse response, TimeSpan elapsed)
    {
        var outcome = response.Error is null ? "ok" : "error";
        Invocations.Add(1, new KeyValuePair<string, object?>("outcome", outcome));
        Duration.Record(elapsed.TotalMilliseconds, new KeyValuePair<string, object?>("outcome", outcome));
        if (response.Error is { } error)
            activity?.SetStatus(ActivityStatusCode.Error, error);
    }
}

using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace EmbeddedPython.EKuiper.Diagnostics;

/// <summary>The package's one <see cref="ActivitySource"/> and one <see cref="Meter"/>, both named
/// <c>EmbeddedPython.EKuiper</c>: an activity per control command and per function call, and counters of what
/// crossed each kind of channel. Messages of sources and sinks are counted, not traced (one span per message
/// would cost more than the message).</summary>
public static class EKuiperTelemetry
{
    /// <summary>The name of the activity source and of the meter.</summary>
    public const string Name = "EmbeddedPython.EKuiper";

    internal static readonly ActivitySource Source = new(Name);

    private static readonly Meter s_meter = new(Name);

    internal static readonly Counter<long> Commands = s_meter.CreateCounter<long>("embeddedpython.ekuiper.commands", description: "Control commands served, by command and whether the reply was ok.");

    internal static readonly Counter<long> SourceTuples = s_meter.CreateCounter<long>("embeddedpython.ekuiper.source.tuples", description: "Tuples sources sent to eKuiper.");

    internal static readonly Counter<long> SinkMessages = s_meter.CreateCounter<long>("embeddedpython.ekuiper.sink.messages", description: "Messages eKuiper sent to sinks.");

    internal static readonly Counter<long> FunctionCalls = s_meter.CreateCounter<long>("embeddedpython.ekuiper.function.calls", description: "Function calls served, by symbol.");

    /// <summary>An activity for one control command of <paramref name="plugin"/> (null when nobody listens).</summary>
    internal static Activity? StartCommand(string plugin) =>
        Source.StartActivity("ekuiper command", ActivityKind.Server, default(ActivityContext), [new("ekuiper.plugin", plugin)]);

    /// <summary>An activity for one call of function <paramref name="symbol"/> (null when nobody listens).</summary>
    internal static Activity? StartFunctionCall(string symbol) =>
        Source.StartActivity("ekuiper function call", ActivityKind.Server, default(ActivityContext), [new("ekuiper.function", symbol)]);
}

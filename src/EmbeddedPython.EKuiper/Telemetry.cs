using System.Diagnostics.Metrics;

namespace EmbeddedPython.EKuiper;

/// <summary>The package's meter, <c>EmbeddedPython.EKuiper</c>: what crossed each kind of channel.</summary>
public static class EKuiperTelemetry
{
    /// <summary>The name of the meter.</summary>
    public const string MeterName = "EmbeddedPython.EKuiper";

    private static readonly Meter Meter = new(MeterName);

    internal static readonly Counter<long> Commands = Meter.CreateCounter<long>("ekuiper.commands", description: "Control commands served, by command and whether the reply was ok.");

    internal static readonly Counter<long> SourceTuples = Meter.CreateCounter<long>("ekuiper.source.tuples", description: "Tuples sources sent to eKuiper.");

    internal static readonly Counter<long> SinkMessages = Meter.CreateCounter<long>("ekuiper.sink.messages", description: "Messages eKuiper sent to sinks.");

    internal static readonly Counter<long> FunctionCalls = Meter.CreateCounter<long>("ekuiper.function.calls", description: "Function calls served, by symbol.");
}

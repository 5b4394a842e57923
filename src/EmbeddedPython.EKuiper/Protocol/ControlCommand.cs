using System.Text.Json;
using System.Text.Json.Serialization;

namespace EmbeddedPython.EKuiper.Protocol;

/// <summary>A command eKuiper sends on the control channel: <c>{"cmd":"start|stop","arg":"&lt;Control JSON&gt;"}</c>
/// (spec §3.2). <see cref="Arg"/> stays the original text: the Python side reads the config from it.</summary>
internal sealed record ControlCommand(string Cmd, string Arg, Control Control)
{
    public const string Start = "start";
    public const string Stop = "stop";

    /// <summary>Parses a command; the exception message names what was wrong.</summary>
    public static ControlCommand Parse(ReadOnlySpan<byte> message)
    {
        Envelope? envelope;
        try
        {
            envelope = JsonSerializer.Deserialize(message, ProtocolJson.Default.Envelope);
        }
        catch (JsonException e)
        {
            throw new FormatException($"command is not JSON: {e.Message}", e);
        }
        if (envelope?.Cmd is not { } cmd || envelope.Arg is not { } arg)
            throw new FormatException("command needs the string fields cmd and arg");
        Control? control;
        try
        {
            control = JsonSerializer.Deserialize(arg, ProtocolJson.Default.Control);
        }
        catch (JsonException e)
        {
            throw new FormatException($"command arg is not a Control JSON object: {e.Message}", e);
        }
        if (control is null || string.IsNullOrEmpty(control.SymbolName) || string.IsNullOrEmpty(control.PluginType))
            throw new FormatException("command arg needs symbolName and pluginType");
        return new ControlCommand(cmd, arg, control);
    }

    internal sealed record Envelope(string? Cmd, string? Arg);
}

/// <summary>The Control object inside a command's arg.</summary>
internal sealed record Control(string SymbolName, Meta? Meta, string PluginType)
{
    public const string Source = "source";
    public const string Sink = "sink";
    public const string Function = "func";

    /// <summary>The meta, empty when absent (functions).</summary>
    public Meta Ids => Meta ?? new Meta("", "", 0);

    /// <summary>The key the original SDK registers running symbols under.</summary>
    public string Key => $"{Ids.RuleId}_{Ids.OpId}_{Ids.InstanceId}_{SymbolName}";
}

/// <summary>Which rule, operator and instance a symbol runs for.</summary>
internal sealed record Meta(string RuleId, string OpId, long InstanceId);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(ControlCommand.Envelope), TypeInfoPropertyName = "Envelope")]
[JsonSerializable(typeof(Control))]
internal sealed partial class ProtocolJson : JsonSerializerContext;

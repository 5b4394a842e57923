using Microsoft.Extensions.Logging;

namespace EmbeddedPython.EKuiper.Diagnostics;

/// <summary>The host's log messages.</summary>
internal sealed partial class Log(ILogger logger)
{
    public void ChannelFailed(string channel, Exception exception) => ChannelFailedCore(channel, exception.Message, exception);

    [LoggerMessage(1, LogLevel.Error, "eKuiper channel {Channel} failed, it goes on: {Reason}")]
    private partial void ChannelFailedCore(string channel, string reason, Exception exception);

    [LoggerMessage(2, LogLevel.Information, "Plugin {Plugin}: {Command} -> {Reply}")]
    public partial void Command(string plugin, string command, string reply);

    [LoggerMessage(3, LogLevel.Warning, "Plugin {Plugin}: function {Symbol} could not be started ahead: {Reply}")]
    public partial void FunctionNotStarted(string plugin, string symbol, string reply);

    [LoggerMessage(4, LogLevel.Information, "Plugin {Plugin} started (sources {Sources}, sinks {Sinks}, functions {Functions})")]
    public partial void PluginStarted(string plugin, string sources, string sinks, string functions);

    [LoggerMessage(5, LogLevel.Warning, "Plugin {Plugin}: eKuiper closed the control connection; stopping the application")]
    public partial void ControlLost(string plugin);

    [LoggerMessage(6, LogLevel.Information, "Plugin script {Script} ran")]
    public partial void ScriptRan(string script);
}

using Microsoft.Extensions.Logging;

namespace EmbeddedPython.EKuiper.Hosting;

/// <summary>The host's log messages.</summary>
internal sealed partial class EKuiperPluginHostLog(ILogger logger)
{
    public void ChannelFailed(string channel, Exception exception) => ChannelFailedCore(channel, exception.Message, exception);

    [LoggerMessage(Level = LogLevel.Error, Message = "eKuiper channel {Channel} failed, it goes on: {Reason}")]
    private partial void ChannelFailedCore(string channel, string reason, Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "Plugin {Plugin}: {Command} -> {Reply}")]
    public partial void Command(string plugin, string command, string reply);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Plugin {Plugin}: function {Symbol} could not be started ahead: {Reply}")]
    public partial void FunctionNotStarted(string plugin, string symbol, string reply);

    [LoggerMessage(Level = LogLevel.Information, Message = "Plugin {Plugin} started (sources {Sources}, sinks {Sinks}, functions {Functions})")]
    public partial void PluginStarted(string plugin, string sources, string sinks, string functions);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Plugin {Plugin}: eKuiper closed the control connection; stopping the application")]
    public partial void ControlLost(string plugin);

    [LoggerMessage(Level = LogLevel.Information, Message = "Plugin script {Script} ran: {Output}")]
    public partial void ScriptRan(string script, string output);
}

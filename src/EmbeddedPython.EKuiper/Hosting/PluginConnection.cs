using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using System.Text.Json;
using EmbeddedPython.EKuiper.Diagnostics;
using EmbeddedPython.EKuiper.Protocol;

namespace EmbeddedPython.EKuiper.Hosting;

/// <summary>One plugin's control channel and the symbols it started: runs eKuiper's start/stop commands in the
/// order of spec §2 (sockets first, then the Python side, then the reply) and answers with the SDK's texts.</summary>
internal sealed class PluginConnection : IDisposable
{
    private static readonly byte[] Ok = "ok"u8.ToArray();

    // Error texts are tracebacks: quotes and <module> stay readable, as in the SDK's json.dumps reply.
    private static readonly JsonSerializerOptions ReplyJson = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private readonly string _name;
    private readonly PluginModule _python;
    private readonly ConcurrentDictionary<string, DataChannel> _channels;
    private readonly ConcurrentDictionary<string, RequestChannel> _functions = new();
    private readonly EKuiperPluginHostOptions _options;
    private readonly Log _log;
    private readonly RequestChannel _control;
    private readonly ManualResetEventSlim _ready = new();
    private HashSet<(string Type, string Symbol)> _declared = [];

    public PluginConnection(string name, PluginModule python, ConcurrentDictionary<string, DataChannel> channels,
        EKuiperPluginHostOptions options, Log log, Action? controlLost)
    {
        _name = name;
        _python = python;
        _channels = channels;
        _options = options;
        _log = log;
        _control = new RequestChannel(IpcUrls.Control(name), "ekuiper control " + name, options.KeepaliveInterval,
            Handle, log.ChannelFailed, controlLost);
    }

    /// <summary>True once the plugin's <c>plugin.start</c> registered its symbols.</summary>
    public bool IsReady => _ready.IsSet;

    /// <summary>Dials eKuiper and sends the handshake; commands wait until <see cref="Ready"/>.</summary>
    public void Connect() => _control.Start();

    /// <summary>The plugin registered its symbols: commands are served from now on.</summary>
    public void Ready(IEnumerable<string> sources, IEnumerable<string> sinks, IEnumerable<string> declaredFunctions)
    {
        _declared = [.. sources.Select(s => (Control.Source, s)), .. sinks.Select(s => (Control.Sink, s))];
        _ready.Set();
        if (!_options.DialDeclaredFunctions)
            return;
        foreach (var symbol in declaredFunctions)
        {
            var control = new Control(symbol, null, Control.Function);
            string reply;
            try
            {
                reply = StartFunction(symbol, JsonSerializer.Serialize(control, ProtocolJson.Default.Control), control.Key);
            }
            catch (Exception e)
            {
                reply = e.Message;
            }
            if (reply != "ok")
                _log.FunctionNotStarted(_name, symbol, reply);
        }
    }

    private byte[] Handle(byte[] message)
    {
        // Connected ahead of a slow script (HandshakeBeforeScript): eKuiper's command waits for plugin.start.
        _ready.Wait();
        using var activity = EKuiperTelemetry.StartCommand(_name);
        string reply;
        var cmd = "malformed";
        try
        {
            var command = ControlCommand.Parse(message);
            cmd = command.Cmd;
            reply = command.Cmd switch
            {
                ControlCommand.Start => Start(command),
                ControlCommand.Stop => Stop(command.Control),
                _ => $"unknown command {command.Cmd}",
            };
        }
        catch (Exception e)
        {
            reply = $"{_name}: {e.Message}";
        }
        reply = ErrorText.Bound(reply);
        activity?.SetTag("ekuiper.command", cmd);
        if (reply != "ok")
            activity?.SetStatus(ActivityStatusCode.Error, reply);
        _log.Command(_name, Encoding.UTF8.GetString(message), reply);
        EKuiperTelemetry.Commands.Add(1, new("command", cmd), new("ok", reply == "ok"));
        if (reply == "ok")
            return Ok;
        // eKuiper takes any reply starting with 'h' for a stale handshake and swallows it (spec §3.3).
        return Encoding.UTF8.GetBytes(reply.StartsWith('h') ? "error: " + reply : reply);
    }

    private string Start(ControlCommand command)
    {
        var control = command.Control;
        if (control.PluginType == Control.Function)
            return StartFunction(control.SymbolName, command.Arg, control.Key);
        if (control.PluginType is not (Control.Source or Control.Sink))
            return "symbol not found";
        if (string.IsNullOrEmpty(control.Ids.RuleId) || string.IsNullOrEmpty(control.Ids.OpId))
            return $"invalid {control.PluginType} start: meta.ruleId and meta.opId are required";
        if (_channels.ContainsKey(control.Key))
            return "ok";
        // An undeclared symbol fails in Python's factory lookup (the SDK's KeyError reply) before any socket opens.
        if (!_declared.Contains((control.PluginType, control.SymbolName)))
            return _python.Start(_name, command.Arg, control.Key);
        DataChannel channel = control.PluginType == Control.Source
            ? new SourceChannel(control.Key, control.Ids, Release)
            : new SinkChannel(control.Key, control.Ids, Release);
        _channels[control.Key] = channel;
        string reply;
        try
        {
            reply = _python.Start(_name, command.Arg, control.Key, channel);
        }
        catch (Exception e)
        {
            reply = e.Message;
        }
        if (reply != "ok")
            Release(channel);
        return reply;
    }

    // A symbol stopped: whatever runs under its key closes its sockets.
    private void Release(string key)
    {
        if (_channels.TryRemove(key, out var channel))
            channel.Dispose();
    }

    // A symbol failed to start or ended by itself: its own channel closes, not a newer one under the same key.
    private void Release(DataChannel channel)
    {
        if (_channels.TryRemove(new KeyValuePair<string, DataChannel>(channel.Key, channel)))
            channel.Dispose();
    }

    private string StartFunction(string symbol, string arg, string key)
    {
        // A second start of a function is a no-op (the SDK would add a second serving loop).
        if (_functions.ContainsKey(symbol))
            return "ok";
        var reply = _python.Start(_name, arg, key);
        if (reply != "ok")
            return reply;
        var channel = new RequestChannel(IpcUrls.Function(symbol), "ekuiper function " + symbol, _options.KeepaliveInterval,
            request => Call(symbol, request), _log.ChannelFailed);
        if (_functions.TryAdd(symbol, channel))
            channel.Start();
        else
            channel.Dispose();
        return "ok";
    }

    private byte[] Call(string symbol, byte[] request)
    {
        EKuiperTelemetry.FunctionCalls.Add(1, new KeyValuePair<string, object?>("symbol", symbol));
        using var activity = EKuiperTelemetry.StartFunctionCall(symbol);
        string error;
        try
        {
            var reply = _python.Call(symbol, request, _options.FunctionCallTimeout);
            if (reply is byte[] result)
                return result;
            error = (string)reply;
        }
        catch (PythonTimeoutException)
        {
            error = $"function {symbol} did not return within {_options.FunctionCallTimeout.TotalSeconds:0.###} s and was interrupted";
        }
        catch (Exception e)
        {
            error = $"function {symbol} failed: {e.Message}";
        }
        activity?.SetStatus(ActivityStatusCode.Error, error);
        return Encoding.UTF8.GetBytes($"{{\"state\": false, \"result\": {JsonSerializer.Serialize(ErrorText.Bound(error), ReplyJson)}}}");
    }

    private string Stop(Control control)
    {
        if (control.PluginType == Control.Function)
            return "ok";
        var reply = _python.Stop(control.Key);
        Release(control.Key);
        return reply;
    }

    public void Dispose()
    {
        _control.Dispose();
        _ready.Set();
        foreach (var function in _functions.Values)
            function.Dispose();
    }
}

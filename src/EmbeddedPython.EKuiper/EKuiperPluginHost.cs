using System.Collections.Concurrent;
using EmbeddedPython.EKuiper.Hosting;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EmbeddedPython.EKuiper;

/// <summary>
/// Hosts eKuiper portable plugins written in Python: runs each plugin script, and for every plugin that calls
/// <c>plugin.start(...)</c> serves eKuiper's control channel and the source, sink and function channels it asks
/// for, over nng IPC exactly as the original SDK process would. Register with <c>services.AddEKuiperPluginHost()</c>.
/// </summary>
public sealed class EKuiperPluginHost : IHostedService, IDisposable
{
    private readonly PythonSide _python;
    private readonly EKuiperPluginHostOptions _options;
    private readonly EKuiperPluginHostLog _log;
    private readonly IHostApplicationLifetime? _lifetime;
    private readonly ConcurrentDictionary<string, DataChannel> _channels = new();
    private readonly ConcurrentDictionary<string, PluginConnection> _plugins = new();

    /// <summary>Creates the host; nothing runs before <see cref="StartAsync"/>.</summary>
    public EKuiperPluginHost(IPythonExecutor executor, IOptions<EKuiperPluginHostOptions> options,
        ILogger<EKuiperPluginHost> logger, IHostApplicationLifetime? lifetime = null)
    {
        _python = new PythonSide(executor);
        _options = options.Value;
        _log = new EKuiperPluginHostLog(logger);
        _lifetime = lifetime;
    }

    /// <summary>The names of the plugins that called <c>plugin.start</c>.</summary>
    public IReadOnlyCollection<string> Plugins => _plugins.Keys.ToList();

    /// <summary>Connects the Python side, then runs the configured plugin scripts in order.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await _python.BindAsync(Send, Closed, Started, cancellationToken).ConfigureAwait(false);
        foreach (var script in _options.Plugins)
            await RunPluginAsync(script, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Runs one plugin script (its <c>plugin.start</c> connects it to eKuiper).</summary>
    /// <exception cref="PythonException">The script raised.</exception>
    public async Task RunPluginAsync(string script, CancellationToken cancellationToken = default)
    {
        if (_options.HandshakeBeforeScript && InstalledPluginName(script) is { } name)
        {
            var early = NewConnection(name);
            _plugins[name] = early;
            early.Connect();
        }
        var result = await _python.RunScriptAsync(script, _options.Arguments, _options.StartTimeout, cancellationToken).ConfigureAwait(false);
        if (result.Output.Length > 0)
            _log.ScriptRan(script, result.Output);
    }

    /// <summary>Stops the control channels, closes every running source and sink (their <c>close</c> runs, as on a
    /// rule stop), then their sockets.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        foreach (var plugin in _plugins.Values)
            plugin.Dispose();
        await Task.Run(() =>
        {
            foreach (var key in _channels.Keys)
            {
                try
                {
                    _python.Stop(key);
                }
                catch (Exception e) when (e is PythonException or ObjectDisposedException or OperationCanceledException)
                {
                    _log.ChannelFailed(key, e);
                }
            }
        }, cancellationToken).ConfigureAwait(false);
        Dispose();
    }

    /// <summary>Closes every channel (control, functions, sources, sinks).</summary>
    public void Dispose()
    {
        foreach (var plugin in _plugins.Values)
            plugin.Dispose();
        foreach (var channel in _channels.Values)
            channel.Dispose();
    }

    // send(key, payload) from Python: a source tuple or a sink ack.
    private object? Send(IReadOnlyList<object?> arguments)
    {
        var key = (string)arguments[0]!;
        if (!_channels.TryGetValue(key, out var channel))
            throw new InvalidOperationException($"{key} is not running (stopped, or its channel to eKuiper closed)");
        return channel.TrySend((byte[])arguments[1]!);
    }

    // closed(key) from Python: a source's open returned or a sink failed to open; release its sockets.
    private object? Closed(IReadOnlyList<object?> arguments)
    {
        if (_channels.TryRemove((string)arguments[0]!, out var channel))
            channel.Dispose();
        return null;
    }

    // started(name, sources, sinks, functions) from plugin.start.
    private object? Started(IReadOnlyList<object?> arguments)
    {
        var name = (string)arguments[0]!;
        var (sources, sinks, functions) = (Names(arguments[1]), Names(arguments[2]), Names(arguments[3]));
        if (!_plugins.TryGetValue(name, out var connection) || connection.IsReady)
        {
            connection?.Dispose();
            connection = NewConnection(name);
            _plugins[name] = connection;
            connection.Connect();
        }
        _log.PluginStarted(name, string.Join(",", sources), string.Join(",", sinks), string.Join(",", functions));
        // Off the interpreter thread: starting ahead-of-time functions calls back into Python.
        _ = Task.Run(() => connection.Ready(sources, sinks, functions));
        return null;
    }

    private PluginConnection NewConnection(string name) =>
        new(name, _python, _channels, _options, _log, _options.StopWhenControlLost ? () => ControlLost(name) : null);

    // eKuiper installs a plugin as plugins/portable/<name>/ with <name>.json beside the script.
    private static string? InstalledPluginName(string script)
    {
        var folder = Path.GetDirectoryName(Path.GetFullPath(script))!;
        var name = Path.GetFileName(folder);
        return File.Exists(Path.Combine(folder, name + ".json")) ? name : null;
    }

    private void ControlLost(string name)
    {
        _log.ControlLost(name);
        Environment.ExitCode = 1;
        _lifetime?.StopApplication();
    }

    private static List<string> Names(object? list) => ((IEnumerable<object?>)list!).Select(n => (string)n!).ToList();
}

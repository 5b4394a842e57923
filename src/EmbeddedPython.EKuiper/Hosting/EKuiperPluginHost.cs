using System.Collections.Concurrent;
using EmbeddedPython.EKuiper.Diagnostics;
using EmbeddedPython.EKuiper.Hosting;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace EmbeddedPython.EKuiper;

/// <summary>
/// Hosts eKuiper portable plugins written in Python: runs each plugin script, and for every plugin that calls
/// <c>plugin.start(...)</c> serves eKuiper's control channel and the source, sink and function channels it asks
/// for, over nng IPC exactly as the original SDK process would. Register with <c>services.AddEKuiperPluginHost()</c>.
/// </summary>
public sealed class EKuiperPluginHost : IHostedService, IDisposable
{
    private readonly PluginModule _python;
    private readonly EKuiperPluginHostOptions _options;
    private readonly Log _log;
    private readonly IHostApplicationLifetime? _lifetime;
    private readonly ConcurrentDictionary<string, DataChannel> _channels = new();
    private readonly ConcurrentDictionary<string, PluginConnection> _plugins = new();

    /// <summary>Creates the host; nothing runs before <see cref="StartAsync"/>.</summary>
    public EKuiperPluginHost(IPythonExecutor executor, IOptions<EKuiperPluginHostOptions> options,
        ILogger<EKuiperPluginHost>? logger = null, IHostApplicationLifetime? lifetime = null)
    {
        _python = new PluginModule(executor);
        _options = options.Value;
        _log = new Log(logger ?? (ILogger)NullLogger.Instance);
        _lifetime = lifetime;
    }

    /// <summary>The names of the plugins that called <c>plugin.start</c>.</summary>
    public IReadOnlyCollection<string> Plugins => _plugins.Keys.ToList();

    /// <summary>Connects the Python side, then runs the configured plugin scripts in order.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await _python.BindAsync(Started, cancellationToken).ConfigureAwait(false);
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
        await _python.RunScriptAsync(script, _options.Arguments, _options.StartTimeout, cancellationToken).ConfigureAwait(false);
        _log.ScriptRan(script);
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

    // started(name, sources, sinks, functions) from plugin.start, on the interpreter thread.
    private void Started(string name, string[] sources, string[] sinks, string[] functions)
    {
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
}

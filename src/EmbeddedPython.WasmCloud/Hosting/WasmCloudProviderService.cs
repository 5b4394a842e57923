using EmbeddedPython.WasmCloud.Bus;
using EmbeddedPython.WasmCloud.Diagnostics;
using EmbeddedPython.WasmCloud.Python;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EmbeddedPython.WasmCloud.Hosting;

/// <summary>
/// The provider process's lifetime: reads HostData, loads the Python modules, serves the lattice, and
/// when the host asks for shutdown, stops the application so the process exits with status 0.
/// </summary>
internal sealed class WasmCloudProviderService(
    IPythonExecutor executor,
    IOptions<WasmCloudProviderOptions> options,
    IHostApplicationLifetime lifetime,
    ILogger<WasmCloudProviderService> logger) : IHostedService, IAsyncDisposable
{
    private WasmbusProvider? _provider;
    private PythonDispatcher? _python;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var line = settings.HostData ?? await Console.In.ReadLineAsync(cancellationToken).ConfigureAwait(false);
        var host = HostData.Parse(line);
        _python = new PythonDispatcher(executor, settings.InvocationTimeout);
        await _python.ConfigureAsync(PythonSettings.Resolve(settings, host, Environment.GetEnvironmentVariable), cancellationToken).ConfigureAwait(false);
        var python = _python;
        _provider = new WasmbusProvider(host, settings, python, logger)
        {
            // A 1.x host sends the new merged named config, where the Python paths may live.
            ConfigUpdated = async config =>
            {
                await python.ConfigureAsync(PythonSettings.Resolve(settings, host with { Config = config }, Environment.GetEnvironmentVariable), CancellationToken.None).ConfigureAwait(false);
                Log.ConfigUpdated(logger);
            },
        };
        await _provider.StartAsync(cancellationToken).ConfigureAwait(false);
        if (settings.StopApplicationOnShutdown)
            _ = _provider.ShutdownRequested.ContinueWith(_ => lifetime.StopApplication(), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_provider is not null)
            await _provider.StopAsync(cancellationToken).ConfigureAwait(false);
        if (_python is not null)
            await _python.ReleaseAsync().ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        if (_provider is not null)
            await _provider.DisposeAsync().ConfigureAwait(false);
    }
}

using EmbeddedPython.WasmCloud.Bus;
using EmbeddedPython.WasmCloud.Python;
using Microsoft.Extensions.Logging;

namespace EmbeddedPython.WasmCloud.Tests.Infrastructure;

/// <summary>A provider serving a fake host's lattice, on the shared executor, with a private copy of the
/// test modules; stopped and its Python state released on dispose.</summary>
internal sealed class RunningProvider : IAsyncDisposable
{
    private readonly PythonDispatcher _python;
    private FakeWasmCloudHost? _ownedHost;

    private RunningProvider(WasmbusProvider provider, PythonDispatcher python, string modules)
    {
        Provider = provider;
        _python = python;
        Modules = modules;
    }

    /// <summary>The fake host of <see cref="StartLinkedAsync"/>.</summary>
    public FakeWasmCloudHost Host => _ownedHost ?? throw new InvalidOperationException("this provider was started with a host of the test's own");

    /// <summary>The actor linked by <see cref="StartLinkedAsync"/>.</summary>
    public string Actor { get; private init; } = "";

    /// <summary>The common case: a fresh fake host and one actor linked at start; both go with the provider.</summary>
    public static async Task<RunningProvider> StartLinkedAsync(LatticeFixture lattice, Action<WasmCloudProviderOptions>? configure = null, bool useMainPackage = false)
    {
        var host = new FakeWasmCloudHost(lattice.Nats.Url);
        var actor = FakeWasmCloudHost.NewActor();
        var started = await StartAsync(lattice, host, [actor], configure, useMainPackage);
        return new RunningProvider(started.Provider, started._python, started.Modules) { _ownedHost = host, Actor = actor };
    }

    public WasmbusProvider Provider { get; }

    /// <summary>The folder holding this provider's copy of the test modules.</summary>
    public string Modules { get; }

    public string DispatchFile => Path.Combine(Modules, "dispatch.py");

    /// <summary>Starts a provider; by default it calls <c>dispatch.handle</c> directly (no main module).</summary>
    public static async Task<RunningProvider> StartAsync(
        LatticeFixture lattice, FakeWasmCloudHost host, string[] linkedActors,
        Action<WasmCloudProviderOptions>? configure = null, bool useMainPackage = false, string? modules = null)
    {
        modules ??= LatticeFixture.CopyModules();
        var options = new WasmCloudProviderOptions();
        configure?.Invoke(options);
        var python = new PythonDispatcher(lattice.Executor, options.InvocationTimeout);
        await python.ConfigureAsync(useMainPackage
            ? new PythonModules(Path.Combine(modules, "wcmain"), Path.Combine(modules, "wcmain", "dispatch.py"), null, [], options.ReloadCommand)
            : new PythonModules(null, Path.Combine(modules, "dispatch.py"), null, [], options.ReloadCommand), CancellationToken.None);
        var hostData = host.CreateHostData(lattice.Nats.Url, linkedActors);
        var provider = new WasmbusProvider(hostData, options, python, lattice.Logging.CreateLogger<WasmbusProvider>());
        await provider.StartAsync(CancellationToken.None);
        return new RunningProvider(provider, python, modules);
    }

    public async ValueTask DisposeAsync()
    {
        await Provider.DisposeAsync();
        await _python.ReleaseAsync();
        if (_ownedHost is not null)
            await _ownedHost.DisposeAsync();
    }
}

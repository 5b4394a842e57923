namespace EmbeddedPython.WasmCloud.Python;

/// <summary>What one Python call produced: a value, or the error text the original provider would send.</summary>
internal readonly record struct DispatchOutcome(object? Value, string? Error)
{
    /// <summary>A failed call; its text (a whole traceback, say) is bounded so the error reply stays small.</summary>
    public static DispatchOutcome Failed(string error) => new(null, ErrorText.Bound(error));
}

/// <summary>The Python paths of one provider, resolved from options, environment and host config.</summary>
internal sealed record PythonModules(string? Main, string? Dispatch, string? VirtualEnvironment, IReadOnlyList<string> SearchPath, bool ReloadCommand);

/// <summary>
/// Runs invocations through the call API on a kept handle of this provider's
/// <c>embedded_python_wasmcloud.Provider</c>, which holds the loaded modules, reloads the dispatch module
/// when its file changes and formats Python errors the way the original provider did.
/// </summary>
internal sealed class PythonDispatcher(IPythonExecutor executor, TimeSpan? timeout)
{
    private const string Module = "embedded_python_wasmcloud";

    private PythonObject? _provider;

    /// <summary>Loads the configured modules; a provider loaded before is replaced.</summary>
    /// <exception cref="InvalidOperationException">A path is unusable or the module failed to load; the message says which.</exception>
    public async Task ConfigureAsync(PythonModules modules, CancellationToken cancellationToken)
    {
        try
        {
            // Not disposed here: invocations already queued may still hold the old handle. The executor
            // releases a handle that is collected without dispose on its own thread.
            _provider = await executor.CallAsync<PythonObject>(new PythonCall(Module, "Provider")
            {
                Args = [modules.Main, modules.Dispatch, modules.VirtualEnvironment, modules.SearchPath, modules.ReloadCommand],
            }, cancellationToken).ConfigureAwait(false);
        }
        catch (PythonException e)
        {
            throw new InvalidOperationException($"wasmCloud provider: could not load the Python modules: {e.PythonType}: {e.Message}", e);
        }
    }

    /// <summary>Calls the user's code for one invocation. Python errors come back as error text, never thrown.</summary>
    public async Task<DispatchOutcome> InvokeAsync(string operation, object? argument, CancellationToken cancellationToken)
    {
        var provider = _provider ?? throw new InvalidOperationException("wasmCloud provider: the Python modules are not loaded yet");
        try
        {
            // Provider.invoke answers (value, None) or (None, error text); an async handler's coroutine is awaited
            // on the interpreter's loop, so several are in flight at once.
            var (value, error) = await executor.CallValueAsync<(object?, string?)>(new PythonCall(Module, "Provider.invoke")
            {
                Args = [provider, operation, argument],
                Timeout = timeout,
            }, cancellationToken).ConfigureAwait(false);
            return error is null ? new DispatchOutcome(value, null) : DispatchOutcome.Failed(error);
        }
        catch (Exception e) when (e is PythonException or PythonConversionException)
        {
            return DispatchOutcome.Failed($"error: {(e as PythonException)?.PythonType ?? "conversion"}: {e.Message}");
        }
        catch (TimeoutException e)
        {
            return DispatchOutcome.Failed("error: " + e.Message);
        }
    }

    /// <summary>Drops this provider's Python state.</summary>
    public async Task ReleaseAsync()
    {
        if (Interlocked.Exchange(ref _provider, null) is { } provider)
            await provider.DisposeAsync().ConfigureAwait(false);
    }
}

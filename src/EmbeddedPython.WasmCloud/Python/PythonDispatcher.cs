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
/// Runs invocations on the executor through the <c>embedded_python_wasmcloud</c> module, which keeps one
/// provider's loaded modules between calls (they live in <c>sys.modules</c>), reloads the dispatch module
/// when its file changes, and formats Python errors the way the original provider did.
/// </summary>
internal sealed class PythonDispatcher(IPythonExecutor executor, string key, TimeSpan? timeout)
{
    private const string ConfigureCode = """
        import embedded_python_wasmcloud
        embedded_python_wasmcloud.configure(_wc_key, _wc_main, _wc_dispatch, _wc_venv, _wc_path, _wc_reload)
        """;

    private const string InvokeCode = """
        from embedded_python_wasmcloud import invoke as _wc_invoke
        _wc_outcome = _wc_invoke(_wc_key, _wc_operation, _wc_arg)
        """;

    // Only handlers that return an awaitable pay for an async request; several can then be in flight.
    private const string FinishCode = """
        from embedded_python_wasmcloud import finish as _wc_finish
        _wc_outcome = await _wc_finish(_wc_pending)
        """;

    private const string ReleaseCode = """
        import embedded_python_wasmcloud
        embedded_python_wasmcloud.release(_wc_key)
        """;

    private static readonly string[] Outcome = ["_wc_outcome"];

    /// <summary>Imports the configured modules.</summary>
    /// <exception cref="InvalidOperationException">A path is unusable or the module failed to import; the message says which.</exception>
    public async Task ConfigureAsync(PythonModules modules, CancellationToken cancellationToken)
    {
        try
        {
            await executor.ExecuteAsync(new PythonRequest
            {
                Code = ConfigureCode,
                PresetValues = new Dictionary<string, object?>
                {
                    ["_wc_key"] = key,
                    ["_wc_main"] = modules.Main,
                    ["_wc_dispatch"] = modules.Dispatch,
                    ["_wc_venv"] = modules.VirtualEnvironment,
                    ["_wc_path"] = modules.SearchPath.ToList(),
                    ["_wc_reload"] = modules.ReloadCommand,
                },
                LimitReturnTo = [],
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
        try
        {
            var outcome = await RunAsync(InvokeCode, "embedded_python_wasmcloud.invoke", new Dictionary<string, object?>
            {
                ["_wc_key"] = key,
                ["_wc_operation"] = operation,
                ["_wc_arg"] = argument,
            }, cancellationToken).ConfigureAwait(false);
            if (outcome is ["pending", var pending])
            {
                outcome = await RunAsync(FinishCode, "embedded_python_wasmcloud.finish", new Dictionary<string, object?>
                {
                    ["_wc_pending"] = pending,
                }, cancellationToken).ConfigureAwait(false);
            }
            return outcome switch
            {
                ["ok", var value] => new DispatchOutcome(value, null),
                ["error", string error] => DispatchOutcome.Failed(error),
                _ => DispatchOutcome.Failed("error: the Python side returned no outcome"),
            };
        }
        catch (PythonException e)
        {
            return DispatchOutcome.Failed($"error: {e.PythonType}: {e.Message}");
        }
        catch (TimeoutException e)
        {
            return DispatchOutcome.Failed("error: " + e.Message);
        }
    }

    /// <summary>Drops this provider's Python state.</summary>
    public Task ReleaseAsync(CancellationToken cancellationToken) => executor.ExecuteAsync(new PythonRequest
    {
        Code = ReleaseCode,
        PresetValues = new Dictionary<string, object?> { ["_wc_key"] = key },
        LimitReturnTo = [],
    }, cancellationToken);

    private async Task<IReadOnlyList<object?>?> RunAsync(string code, string name, Dictionary<string, object?> presets, CancellationToken cancellationToken)
    {
        var result = await executor.ExecuteAsync(new PythonRequest
        {
            Code = code,
            Name = name,
            PresetValues = presets,
            LimitReturnTo = Outcome,
            Timeout = timeout,
        }, cancellationToken).ConfigureAwait(false);
        return result.Values.TryGetValue("_wc_outcome", out var outcome) ? outcome as IReadOnlyList<object?> : null;
    }
}

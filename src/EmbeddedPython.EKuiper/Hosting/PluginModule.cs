namespace EmbeddedPython.EKuiper.Hosting;

/// <summary>
/// The calls into <c>ekuiper.runtime.host</c>, the Python half that owns the plugin objects, through the call
/// API: the module is imported once and kept as a handle; nothing is compiled per call. Start, stop and function
/// calls are made from the channel threads and wait for their answer there.
/// </summary>
internal sealed class PluginModule(IPythonExecutor executor)
{
    private const string Module = "ekuiper.runtime.host";

    private PythonObject? _host;

    private PythonObject Host => _host ?? throw new InvalidOperationException("the eKuiper plugin host has not started");

    /// <summary>Imports the module and gives it the callback <c>plugin.start</c> reports to:
    /// started(name, sources, sinks, functions).</summary>
    public async Task BindAsync(Action<string, string[], string[], string[]> started, CancellationToken cancellationToken)
    {
        _host ??= await executor.ImportAsync(Module, cancellationToken).ConfigureAwait(false);
        await _host.CallMethodAsync<object?>("bind", [started], cancellationToken: cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Runs a plugin script as <c>__main__</c>, with <paramref name="arguments"/> after it in sys.argv.</summary>
    public Task RunScriptAsync(string script, IList<string> arguments, TimeSpan timeout, CancellationToken cancellationToken) =>
        executor.CallAsync<object?>(new PythonCall(Module, "run_script") { Args = [script, arguments.ToArray()], Timeout = timeout }, cancellationToken);

    /// <summary>Runs a start command; a source or sink gets its channel's send, receive and closed functions.</summary>
    public string Start(string plugin, string arg, string key, DataChannel? channel = null) =>
        Wait(Host.CallMethodAsync<string>("start", [plugin, arg, key, channel?.SendFunction, channel?.ReceiveFunction, channel?.ClosedFunction]));

    public string Stop(string key) => Wait(Host.CallMethodAsync<string>("stop", [key]));

    /// <summary>Serves a function call: the reply bytes, or the error text of a failed call.</summary>
    public object Call(string symbol, byte[] request, TimeSpan timeout) =>
        Wait(executor.CallValueAsync<object>(new PythonCall(Module, "call") { Args = [symbol, request], Timeout = timeout }));

    private static T Wait<T>(Task<T> call) => call.GetAwaiter().GetResult();

    /// <summary>The first look at the call (IsCompleted) spins for a short one's result: no thread wake.</summary>
    private static T Wait<T>(ValueTask<T> call) => call.IsCompleted ? call.Result : call.AsTask().GetAwaiter().GetResult();
}

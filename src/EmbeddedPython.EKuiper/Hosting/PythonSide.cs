namespace EmbeddedPython.EKuiper.Hosting;

/// <summary>The calls into <c>ekuiper.runtime.host</c>, the Python half that owns the plugin objects. Each is one
/// executor request (named, so its code compiles once); the blocking forms are for the channel threads.</summary>
internal sealed class PythonSide(IPythonExecutor executor)
{
    private const string Import = "from ekuiper.runtime import host as _ekuiper_host\n";
    private static readonly string[] Reply = ["reply"];

    public Task BindAsync(PythonCallback send, PythonCallback closed, PythonCallback started, CancellationToken cancellationToken) =>
        executor.ExecuteAsync(new PythonRequest
        {
            Name = "ekuiper.bind",
            Code = Import + "_ekuiper_host.bind(send, closed, started)",
            PresetValues = new Dictionary<string, object?> { ["send"] = send, ["closed"] = closed, ["started"] = started },
            LimitReturnTo = [],
        }, cancellationToken);

    /// <summary>Runs a plugin script as <c>__main__</c> the way python would: argv, its folder first on sys.path.
    /// Our ekuiper package is imported first, so a copy of the SDK bundled next to the script does not shadow it.</summary>
    public Task<PythonResult> RunScriptAsync(string script, IList<string> arguments, TimeSpan timeout, CancellationToken cancellationToken) =>
        executor.ExecuteAsync(new PythonRequest
        {
            Name = "ekuiper.run_script",
            Code = """
                import os, runpy, sys
                import ekuiper, ekuiper.runtime.host
                script = os.path.abspath(script)
                sys.argv = [script] + list(arguments)
                if os.path.dirname(script) not in sys.path:
                    sys.path.insert(0, os.path.dirname(script))
                runpy.run_path(script, run_name="__main__")
                """,
            PresetValues = new Dictionary<string, object?> { ["script"] = script, ["arguments"] = arguments.ToList() },
            LimitReturnTo = [],
            Timeout = timeout,
        }, cancellationToken);

    public string Start(string plugin, string arg, string key) =>
        (string)Run("ekuiper.start", "reply = _ekuiper_host.start(plugin, arg, key)",
            new() { ["plugin"] = plugin, ["arg"] = arg, ["key"] = key })!;

    public string Stop(string key) =>
        (string)Run("ekuiper.stop", "reply = _ekuiper_host.stop(key)", new() { ["key"] = key })!;

    /// <summary>Queues sink messages; returns how many wait, or -1 when the sink is gone.</summary>
    public long Deliver(string key, List<byte[]> messages) =>
        (long)Run("ekuiper.deliver", "reply = _ekuiper_host.deliver(key, messages)", new() { ["key"] = key, ["messages"] = messages })!;

    /// <summary>Serves a function call: the reply bytes, or the error text of a failed call.</summary>
    public object Call(string symbol, byte[] request, TimeSpan timeout) =>
        Run("ekuiper.call", "reply = _ekuiper_host.call(symbol, request)", new() { ["symbol"] = symbol, ["request"] = request }, timeout)!;

    private object? Run(string name, string code, Dictionary<string, object?> presets, TimeSpan? timeout = null) =>
        executor.ExecuteAsync(new PythonRequest
        {
            Name = name,
            Code = Import + code,
            PresetValues = presets,
            LimitReturnTo = Reply,
            Timeout = timeout,
        }).GetAwaiter().GetResult().Values["reply"];
}

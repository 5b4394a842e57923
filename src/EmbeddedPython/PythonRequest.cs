namespace EmbeddedPython;

/// <summary>One piece of Python work: what to run, the globals it starts with and what comes back.</summary>
public sealed record PythonRequest
{
    /// <summary>Source text to run. With <see cref="Name"/> it is compiled once and cached under that name.</summary>
    public string? Code { get; init; }

    /// <summary>Cache key for <see cref="Code"/>. Alone, it reruns the code cached under that name.</summary>
    public string? Name { get; init; }

    /// <summary>A script resolved through the executor's <see cref="IScriptStore"/> (by default files under
    /// <see cref="PythonExecutorOptions.ScriptDirectory"/>), reloaded when its source changes.</summary>
    public string? Script { get; init; }

    /// <summary>Values that become globals before the code runs; they may shadow anything, builtins included.
    /// A .NET <see cref="Delegate"/> becomes a Python callable that calls back into .NET.</summary>
    public IReadOnlyDictionary<string, object?>? PresetValues { get; init; }

    /// <summary>When set, only these globals come back (those that exist and convert).</summary>
    public IReadOnlyList<string>? LimitReturnTo { get; init; }

    /// <summary>The code sends its own results through <c>embedded_python.emit/complete/fail</c> (or the
    /// compatibility names of <c>embedded_python.compat</c>), instead of returning its globals.</summary>
    public bool CodeHandlesReturn { get; init; }

    /// <summary>Receives what the request and its tasks print, line by line as they print it (an unterminated
    /// last line comes before the request's result), in addition to
    /// <see cref="PythonResult.Output"/>. Called on the interpreter thread holding the GIL: hand the text
    /// off (to a channel, say) and return.</summary>
    public Action<string>? OutputReceived { get; init; }

    /// <summary>Time limit covering queue wait and run. Null means
    /// <see cref="PythonExecutorOptions.DefaultTimeout"/>; <see cref="System.Threading.Timeout.InfiniteTimeSpan"/> means none.</summary>
    public TimeSpan? Timeout { get; init; }

    /// <summary>Bytes of Python memory the request's code and its asyncio tasks may allocate (net of what they
    /// free); past it the allocation fails and the code gets <c>MemoryError</c> at once. Null means
    /// <see cref="PythonExecutorOptions.DefaultMemoryLimit"/>. Memory C extensions allocate themselves
    /// (numpy's array data) is not counted.</summary>
    public long? MemoryLimit { get; init; }

    /// <summary>Returned globals that do not convert to .NET values (modules, functions, objects) come back in
    /// <see cref="PythonResult.Values"/> as <see cref="PythonObject"/> handles instead of being left out.</summary>
    public bool ReturnHandles { get; init; }

    /// <summary>The sandbox this request's code runs under (threads it starts included: it may start none);
    /// null means <see cref="PythonExecutorOptions.DefaultPolicy"/>.</summary>
    public PythonPolicy? Policy { get; init; }

    /// <summary>With several interpreters (<see cref="PythonExecutorOptions.Interpreters"/>): a key that pins the
    /// request to one interpreter, the same for every request with that key (a stable hash), so that code which
    /// builds state there (a module global, a loaded model) finds it again; <c>"main"</c> is the main interpreter,
    /// where extension modules that cannot load in a sub-interpreter run. Null (the default): the least loaded
    /// interpreter, or the one a <see cref="PythonObject"/> among <see cref="PresetValues"/> belongs to. With one
    /// interpreter it changes nothing.</summary>
    public string? Affinity { get; init; }
}

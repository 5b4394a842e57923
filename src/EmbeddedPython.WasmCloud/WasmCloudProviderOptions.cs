namespace EmbeddedPython.WasmCloud;

/// <summary>
/// Settings of the wasmCloud Python provider, bound from configuration section <c>EmbeddedPython:WasmCloud</c>
/// (the old section <c>WasmCloud</c> is still read, with a logged deprecation warning). The Python
/// paths follow the original provider: a setting here wins over the environment variable named beside it,
/// which wins over the host's 1.x named config (<c>python_main</c>, <c>python_dispatch</c>, <c>venv_path</c>,
/// <c>python_path</c>).
/// </summary>
public sealed class WasmCloudProviderOptions
{
    /// <summary>The configuration section the options are bound from.</summary>
    public const string SectionName = "EmbeddedPython:WasmCloud";

    /// <summary>The section of earlier versions, still bound (before <see cref="SectionName"/>, which wins).</summary>
    public const string DeprecatedSectionName = "WasmCloud";

    /// <summary>The HostData line (base64 of the host's JSON). When null, the provider reads one line from
    /// standard input at start, as a wasmCloud host provides it.</summary>
    public string? HostData { get; set; }

    /// <summary>Main module: a <c>.py</c> file or a package folder exposing <c>main(command, params)</c>
    /// (env <c>PYTHON_MAIN</c>). Optional when <see cref="PythonDispatch"/> is set: the dispatch module's
    /// <c>handle(command, arg)</c> is then called directly.</summary>
    public string? PythonMain { get; set; }

    /// <summary>Dispatch module file exposing <c>handle(command, arg)</c> (env <c>PYTHON_DISPATCH</c>); it is
    /// reloaded when the file changes.</summary>
    public string? PythonDispatch { get; set; }

    /// <summary>Virtual environment whose site-packages is put first on <c>sys.path</c> (env <c>VENV_PATH</c>).</summary>
    public string? VirtualEnvironment { get; set; }

    /// <summary>Extra <c>sys.path</c> entries (env <c>PYTHON_PATH</c>, colon-separated).</summary>
    public IList<string> PythonPath { get; set; } = new List<string>();

    /// <summary>Verify each invocation's signed claims (spec: always on in wasmCloud). Turn off only for local
    /// use with tools that do not sign.</summary>
    public bool VerifyClaims { get; set; } = true;

    /// <summary>When only a dispatch module is configured, the operation <c>reload</c> reloads it and answers
    /// <c>true</c>, as the original's example main module did.</summary>
    public bool ReloadCommand { get; set; } = true;

    /// <summary>A Python <c>None</c> result is sent as CBOR null (<c>f6</c>) instead of the original's empty
    /// message, which many actor decoders reject.</summary>
    public bool NoneAsCborNull { get; set; }

    /// <summary>Invocations handled at once; more wait in NATS's buffer (the original queued up to 1024).</summary>
    public int MaxConcurrentInvocations { get; set; } = 1024;

    /// <summary>Bodies longer than this go through the JetStream object store (spec §8: 900 KiB).</summary>
    public int ChunkThresholdBytes { get; set; } = 900 * 1024;

    /// <summary>Time limit of one Python call; the executor's default when null.</summary>
    public TimeSpan? InvocationTimeout { get; set; }

    /// <summary>Stop the application (exit code 0) after the host's shutdown request, as a provider process must.</summary>
    public bool StopApplicationOnShutdown { get; set; } = true;
}

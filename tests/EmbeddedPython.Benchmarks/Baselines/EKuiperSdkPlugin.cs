using System.Diagnostics;

namespace EmbeddedPython.Benchmarks.Baselines;

/// <summary>
/// The baseline of the eKuiper scenario: the benchmark plugin run the way eKuiper runs it on its own Python SDK,
/// a child <c>python3 -u ekbench.py {"sendTimeout":1000} &lt;name&gt;</c> in the plugin folder, with the SDK and
/// the pynng stand-in (libnng through ctypes) on PYTHONPATH. The SDK is not in this repository:
/// <c>EMBEDDEDPYTHON_EKUIPER_SDK</c> names its <c>sdk/python</c> folder; the stand-in is
/// <c>EMBEDDEDPYTHON_PYNNG_SHIM</c>, or <c>shared/tools/pynng-shim</c> found beside a parent folder.
/// </summary>
internal sealed class EKuiperSdkPlugin : IDisposable
{
    public const string SdkVariable = "EMBEDDEDPYTHON_EKUIPER_SDK";
    public const string ShimVariable = "EMBEDDEDPYTHON_PYNNG_SHIM";

    private readonly Process _process;

    private EKuiperSdkPlugin(Process process) => _process = process;

    /// <summary>The folder of the benchmark plugin, shared with the in-process host.</summary>
    public static string PluginFolder => Path.Combine(AppContext.BaseDirectory, "Baselines", "EKuiperPlugin");

    public static string Script => Path.Combine(PluginFolder, "ekbench.py");

    /// <summary>Starts the plugin as the plugin <paramref name="name"/>; it dials eKuiper's control channel at once.</summary>
    /// <exception cref="InvalidOperationException">The SDK or the stand-in is not there; the message says how to get it.</exception>
    public static EKuiperSdkPlugin Start(string name)
    {
        var sdk = Environment.GetEnvironmentVariable(SdkVariable);
        if (string.IsNullOrEmpty(sdk) || !File.Exists(Path.Combine(sdk, "ekuiper", "runtime", "plugin.py")))
            throw new InvalidOperationException($"the eKuiper SDK rows are skipped: set {SdkVariable} to the sdk/python folder of an lf-edge/ekuiper checkout (see the benchmarks README)");
        var shim = Environment.GetEnvironmentVariable(ShimVariable) is { Length: > 0 } given ? given : FindShim();
        if (shim is null || !File.Exists(Path.Combine(shim, "pynng", "__init__.py")))
            throw new InvalidOperationException($"the eKuiper SDK rows are skipped: the pynng stand-in was not found; set {ShimVariable} to shared/tools/pynng-shim");
        var start = new ProcessStartInfo("python3") { WorkingDirectory = PluginFolder, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { "-u", Script, "{\"sendTimeout\":1000}", name })
            start.ArgumentList.Add(argument);
        start.Environment["PYTHONPATH"] = string.Join(Path.PathSeparator, shim, sdk);
        var process = Process.Start(start)!;
        // Drain its log as eKuiper does, so that a full pipe never blocks it.
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return new EKuiperSdkPlugin(process);
    }

    private static string? FindShim()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            var candidate = Path.Combine(folder.FullName, "shared", "tools", "pynng-shim");
            if (Directory.Exists(candidate))
                return candidate;
        }
        return null;
    }

    public void Dispose()
    {
        if (!_process.HasExited)
            _process.Kill(entireProcessTree: true);
        _process.WaitForExit();
        _process.Dispose();
    }
}

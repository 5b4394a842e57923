using System.Diagnostics;

namespace EmbeddedPython.Benchmarks.Baselines;

/// <summary>
/// Vantiq's own Python Execution Connector (pythonExecSource's <c>pyExecConnector.py</c> with the connector SDK
/// <c>vantiqconnectorsdk.py</c> and the REST SDK <c>vantiqsdk.py</c>), started as its own process against the
/// fake server. Its files are not in this repository: <see cref="FolderVariable"/> names a folder holding them
/// and the two stand-ins of <c>shared/tools/vantiq-standins</c> (see the benchmarks README);
/// <see cref="PythonVariable"/> names a Python that has websockets and aiohttp (default <c>/usr/bin/python3</c>,
/// Debian's, with <c>python3-websockets</c> and <c>python3-aiohttp</c>).
/// </summary>
internal sealed class VantiqOriginalConnector : IDisposable
{
    public const string FolderVariable = "EMBEDDEDPYTHON_VANTIQ_ORIGINAL";
    public const string PythonVariable = "EMBEDDEDPYTHON_VANTIQ_PYTHON";

    private readonly Process _process;
    private readonly string _workingFolder;

    private VantiqOriginalConnector(Process process, string workingFolder)
    {
        _process = process;
        _workingFolder = workingFolder;
    }

    /// <summary>The folder of the original's files, or null (with the reason) when it is not set up.</summary>
    public static string? Folder(out string reason)
    {
        reason = "";
        var folder = Environment.GetEnvironmentVariable(FolderVariable);
        if (string.IsNullOrEmpty(folder))
        {
            reason = $"{FolderVariable} is not set: the rows of Vantiq's own connector are skipped (see the benchmarks README).";
            return null;
        }
        foreach (var file in new[] { "pyExecConnector.py", "vantiqconnectorsdk.py", "vantiqsdk.py", "jprops.py", "codetiming.py" })
        {
            if (!File.Exists(Path.Combine(folder, file)))
            {
                reason = $"{FolderVariable}={folder} has no {file} (see the benchmarks README).";
                return null;
            }
        }
        return folder;
    }

    /// <summary>Starts the connector for <paramref name="source"/> on <paramref name="server"/>, from a fresh working
    /// folder holding its <c>serverConfig/server.config</c>.</summary>
    public static VantiqOriginalConnector Start(string folder, Uri server, string token, string source)
    {
        var working = Path.Combine(Path.GetTempPath(), "vantiq-original-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path.Combine(working, "serverConfig"));
        File.WriteAllText(Path.Combine(working, "serverConfig", "server.config"),
            $"targetServer={server}\nauthToken={token}\nsources={source}\n");
        var python = Environment.GetEnvironmentVariable(PythonVariable) is { Length: > 0 } configured ? configured : "/usr/bin/python3";
        var start = new ProcessStartInfo(python)
        {
            WorkingDirectory = working,
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add(Path.Combine(folder, "pyExecConnector.py"));
        start.Environment["PYTHONPATH"] = folder;
        var process = Process.Start(start) ?? throw new InvalidOperationException($"{python} could not be started.");
        // Its log goes nowhere, but is read so that a full pipe never stalls it.
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return new VantiqOriginalConnector(process, working);
    }

    /// <summary>The processor time the connector's process has used so far.</summary>
    public TimeSpan ProcessorTime
    {
        get
        {
            _process.Refresh();
            return _process.TotalProcessorTime;
        }
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(5000);
        }
        _process.Dispose();
        Directory.Delete(_workingFolder, recursive: true);
    }
}

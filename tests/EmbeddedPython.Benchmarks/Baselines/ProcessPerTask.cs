using System.Diagnostics;
using System.Text.Json;

namespace EmbeddedPython.Benchmarks.Baselines;

/// <summary>
/// The Application Manager's model, a process per task: <c>python3 script.py</c> started in the application
/// folder with the task's parameters (as JSON in <c>TASK_PARAMS</c>), its output read line by line until it
/// exits. What the task host replaces with a Python thread per task in the one interpreter.
/// </summary>
internal static class ProcessPerTask
{
    public static async Task<List<string>> RunAsync(string application, string script, IReadOnlyDictionary<string, object?> parameters)
    {
        var start = new ProcessStartInfo(PythonCommand.Executable)
        {
            WorkingDirectory = application,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(script);
        start.Environment["TASK_PARAMS"] = JsonSerializer.Serialize(parameters);
        using var process = Process.Start(start) ?? throw new InvalidOperationException("python3 could not be started.");
        var lines = new List<string>();
        while (await process.StandardOutput.ReadLineAsync().ConfigureAwait(false) is { } line)
            lines.Add(line);
        await process.WaitForExitAsync().ConfigureAwait(false);
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"python3 {script} exited with code {process.ExitCode}.");
        return lines;
    }
}

using System.Diagnostics;

namespace EmbeddedPython.Tests;

/// <summary>Runs a scenario of EmbeddedPython.Tests.Host in a process of its own (to observe its exit, or to start a different CPython: one CPython serves a process).</summary>
internal static class ChildProcess
{
    public static async Task<(int ExitCode, string Output)> RunAsync(string scenario, IDictionary<string, string>? environment = null, TimeSpan? limit = null)
    {
        var host = Path.Combine(AppContext.BaseDirectory, "EmbeddedPython.Tests.Host.dll");
        var start = new ProcessStartInfo("dotnet", $"\"{host}\" {scenario}")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
            start.Environment[name] = value;
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(limit ?? TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"scenario '{scenario}' did not exit within {limit ?? TimeSpan.FromSeconds(60)}; output so far: {await output}");
        }
        return (process.ExitCode, await output + await errors);
    }
}

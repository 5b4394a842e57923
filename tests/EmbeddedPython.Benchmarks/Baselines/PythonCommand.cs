using System.Diagnostics;

namespace EmbeddedPython.Benchmarks.Baselines;

/// <summary>
/// The Python the baselines run: the real executable behind <c>python3</c> on PATH (the same installation
/// the executor loads libpython from). Resolved once, so a pyenv shim script does not add its own start-up
/// to every process the baselines start.
/// </summary>
internal static class PythonCommand
{
    private static readonly Lazy<string> s_executable = new(() => Ask("import sys; print(sys.executable)"));
    private static readonly Lazy<string> s_version = new(() => Ask("import sys; print(sys.version.split()[0])"));
    private static readonly Lazy<string> s_library = new(() => Ask("import os, sysconfig; v = sysconfig.get_config_var; print(os.path.join(v('LIBDIR'), v('LDLIBRARY')))"));

    public static string Executable => s_executable.Value;

    public static string Version => s_version.Value;

    /// <summary>The libpython of that installation, for an executor told where it is (no search at start-up).</summary>
    public static string Library => s_library.Value;

    private static string Ask(string program)
    {
        var start = new ProcessStartInfo("python3") { RedirectStandardOutput = true, UseShellExecute = false };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(program);
        using var process = Process.Start(start) ?? throw new InvalidOperationException("python3 could not be started.");
        var text = process.StandardOutput.ReadToEnd().Trim();
        process.WaitForExit();
        if (process.ExitCode != 0 || text.Length == 0)
            throw new InvalidOperationException($"python3 -c \"{program}\" failed with exit code {process.ExitCode}.");
        return text;
    }
}

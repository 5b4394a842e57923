using System.Diagnostics;
using Microsoft.Win32;

namespace EmbeddedPython.Locating;

/// <summary>The machine this process runs on.</summary>
internal sealed class RealMachine : IMachine
{
    public static readonly RealMachine Instance = new();

    private RealMachine()
    {
    }

    public MachineKind Kind { get; } =
        OperatingSystem.IsWindows() ? MachineKind.Windows : OperatingSystem.IsMacOS() ? MachineKind.MacOS : MachineKind.Linux;

    public string Root { get; } = OperatingSystem.IsWindows() ? Path.GetPathRoot(Environment.SystemDirectory)! : "/";

    public string HomeDirectory => Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);

    public string CurrentDirectory => Environment.CurrentDirectory;

    public string? Variable(string name) => Environment.GetEnvironmentVariable(name) is { Length: > 0 } value ? value : null;

    public bool FileExists(string path) => File.Exists(path);

    public bool DirectoryExists(string path) => Directory.Exists(path);

    public IReadOnlyList<string> Directories(string path, string pattern) => List(path, () => Directory.GetDirectories(path, pattern));

    public IReadOnlyList<string> Files(string path, string pattern) => List(path, () => Directory.GetFiles(path, pattern));

    private static string[] List(string path, Func<string[]> list)
    {
        try
        {
            return Directory.Exists(path) ? list() : [];
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }

    public string? ReadText(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    public string FinalTarget(string path)
    {
        try
        {
            return File.ResolveLinkTarget(path, returnFinalTarget: true)?.FullName ?? Path.GetFullPath(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return Path.GetFullPath(path);
        }
    }

    public long? Stamp(string path) =>
        File.Exists(path) || Directory.Exists(path) ? File.GetLastWriteTimeUtc(path).Ticks : null;

    public IReadOnlyList<string> RegistrySubKeys(string hive, string key)
    {
        if (!OperatingSystem.IsWindows())
            return [];
        using var opened = HiveOf(hive).OpenSubKey(key);
        return opened?.GetSubKeyNames() ?? [];
    }

    public string? RegistryValue(string hive, string key, string? name)
    {
        if (!OperatingSystem.IsWindows())
            return null;
        using var opened = HiveOf(hive).OpenSubKey(key);
        return opened?.GetValue(name) as string;
    }

    [System.Runtime.Versioning.SupportedOSPlatform("windows")]
    private static RegistryKey HiveOf(string hive) => hive == "HKLM" ? Registry.LocalMachine : Registry.CurrentUser;

    public string? Run(string program, IReadOnlyList<string> arguments)
    {
        try
        {
            var start = new ProcessStartInfo(program, arguments)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            using var process = Process.Start(start)!;
            process.ErrorDataReceived += static (_, _) => { };
            process.BeginErrorReadLine();
            var output = process.StandardOutput.ReadToEnd();
            return process.WaitForExit(10_000) && process.ExitCode == 0 ? output : null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }
}

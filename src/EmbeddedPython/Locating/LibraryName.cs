using System.Globalization;
using System.Text.RegularExpressions;

namespace EmbeddedPython.Locating;

/// <summary>What libpython is called on each system, and the 3.x minor version a library's path names.</summary>
internal static partial class LibraryName
{
    public const int MinMinor = 9, MaxMinor = 14;

    /// <summary>The file names of libpython 3.<paramref name="minor"/>, the loadable one first.</summary>
    public static IEnumerable<string> For(MachineKind kind, int minor) => kind switch
    {
        MachineKind.Windows => [$"python3{minor}.dll"],
        MachineKind.MacOS => [$"libpython3.{minor}.dylib"],
        _ => [$"libpython3.{minor}.so.1.0", $"libpython3.{minor}.so"],
    };

    /// <summary>
    /// The minor version of a libpython path: <c>libpython3.12.so.1.0</c>, <c>libpython3.12.dylib</c>,
    /// <c>python312.dll</c>, or a framework build's <c>Python.framework/Versions/3.12/Python</c>.
    /// </summary>
    public static int? MinorOf(string path)
    {
        var name = Path.GetFileName(path);
        var match = UnixName().Match(name);
        if (!match.Success)
            match = WindowsName().Match(name);
        if (!match.Success && name == "Python")
            match = FrameworkVersion().Match(Path.GetFileName(Path.GetDirectoryName(path)) ?? "");
        return match.Success ? int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture) : null;
    }

    /// <summary>The minor version an interpreter's file name carries (<c>python3.12</c>), or null (<c>python3</c>).</summary>
    public static int? MinorOfInterpreter(string path)
    {
        var match = InterpreterName().Match(Path.GetFileName(path));
        return match.Success ? int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture) : null;
    }

    /// <summary>The minor version of a version text such as <c>3.12.1</c> or <c>3.12</c>.</summary>
    public static int? MinorOfVersion(string? version)
    {
        var match = VersionText().Match(version ?? "");
        return match.Success ? int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture) : null;
    }

    /// <summary>Folders named by version (3.12.1, 3.12.10), the newest first; names that are no version are left out.</summary>
    public static IEnumerable<string> NewestFirst(IEnumerable<string> versionFolders) => versionFolders
        .Select(folder => (Folder: folder, Version: Version.TryParse(Path.GetFileName(folder), out var version) ? version : null))
        .Where(entry => entry.Version is not null)
        .OrderByDescending(entry => entry.Version)
        .Select(entry => entry.Folder);

    public static bool IsSupported(int minor) => minor is >= MinMinor and <= MaxMinor;

    [GeneratedRegex(@"^libpython3\.(\d+)(?:\.so(?:\.[\d.]+)?|\.dylib)$")]
    private static partial Regex UnixName();

    [GeneratedRegex(@"^python3(\d+)\.dll$", RegexOptions.IgnoreCase)]
    private static partial Regex WindowsName();

    [GeneratedRegex(@"^3\.(\d+)$")]
    private static partial Regex FrameworkVersion();

    [GeneratedRegex(@"^python3\.(\d+)(?:\.exe)?$", RegexOptions.IgnoreCase)]
    private static partial Regex InterpreterName();

    [GeneratedRegex(@"^\s*3\.(\d+)(?:[.\s]|$)")]
    private static partial Regex VersionText();
}

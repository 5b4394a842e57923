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
        if (UnixMinor(name) is { } minor)
            return minor;
        var match = WindowsName().Match(name);
        if (!match.Success && name == "Python")
            match = FrameworkVersion().Match(Path.GetFileName(Path.GetDirectoryName(path)) ?? "");
        return match.Success ? int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture) : null;
    }

    /// <summary>
    /// The minor of <c>libpython3.N.so</c>, <c>libpython3.N.so.X.Y</c> or <c>libpython3.N.dylib</c>, read without a
    /// regular expression: this runs at every start that names its library, and a first regex match costs ~2 ms.
    /// </summary>
    private static int? UnixMinor(string name)
    {
        const string prefix = "libpython3.";
        if (!name.StartsWith(prefix, StringComparison.Ordinal))
            return null;
        var end = prefix.Length;
        while (end < name.Length && char.IsAsciiDigit(name[end]))
            end++;
        var suffix = name.AsSpan(end);
        var known = suffix is ".so" or ".dylib" || (suffix.Length > 4 && suffix.StartsWith(".so.") && IsVersionText(suffix[4..]));
        return end > prefix.Length && known && int.TryParse(name.AsSpan(prefix.Length, end - prefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var minor)
            ? minor
            : null;

        static bool IsVersionText(ReadOnlySpan<char> text)
        {
            foreach (var c in text)
            {
                if (c != '.' && !char.IsAsciiDigit(c))
                    return false;
            }
            return true;
        }
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

    [GeneratedRegex(@"^python3(\d+)\.dll$", RegexOptions.IgnoreCase)]
    private static partial Regex WindowsName();

    [GeneratedRegex(@"^3\.(\d+)$")]
    private static partial Regex FrameworkVersion();

    [GeneratedRegex(@"^python3\.(\d+)(?:\.exe)?$", RegexOptions.IgnoreCase)]
    private static partial Regex InterpreterName();

    [GeneratedRegex(@"^\s*3\.(\d+)(?:[.\s]|$)")]
    private static partial Regex VersionText();
}

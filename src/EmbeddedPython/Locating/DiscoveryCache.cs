using System.Globalization;
using System.IO.Hashing;
using System.Text;

namespace EmbeddedPython.Locating;

/// <summary>
/// Remembers the last successful automatic discovery, so a second start does not pay it again. An entry is
/// one small text file in the user's cache folder, named by a hash of what discovery depends on beyond files
/// (working folder, PATH and the variables pyenv, virtual environments and installers use). It lists every
/// file and folder discovery looked at, found or not, with its last write time; when any of them changed,
/// appeared or went away (an interpreter replaced, a .python-version written, the library deleted) the
/// entry is ignored and discovery runs again. Written to a temporary file and renamed over the entry, so
/// concurrent processes read either a whole old entry or a whole new one. Registry values are not
/// watched; the library file they led to is. Plain lines rather than JSON: a serializer's first use costs
/// more start-up time than the discovery it saves; for the same reason the name's hash is XxHash64 (its
/// first call costs a quarter of XxHash3's, which JIT-compiles vector code for a key of this length).
/// </summary>
internal static class DiscoveryCache
{
    private const string Format = "EmbeddedPython discovery 1";
    private const char Separator = '\u001f';

    private static readonly string[] Variables =
        ["PATH", "VIRTUAL_ENV", "PYENV_VERSION", "PYENV_ROOT", "PYENV_DIR", "PY_PYTHON", "HOMEBREW_PREFIX", "LOCALAPPDATA", "ProgramFiles", "NUGET_PACKAGES"];

    /// <summary>What, besides files, the discovery's answer depends on.</summary>
    public static string Key(IMachine machine, string? virtualEnvironment) =>
        string.Join(Separator, new[] { $"cwd={machine.CurrentDirectory}", $"option VirtualEnvironment={virtualEnvironment}" }
            .Concat(Variables.Select(name => $"{name}={machine.Variable(name)}")));

    // Lines: format, key, library, home, minor, site-packages (separated), then "stamp<TAB>path" per input
    // with "-" for a path that did not exist.
    public static PythonInstallation? Load(IMachine machine, string key)
    {
        if (EntryPath(machine, key) is not { } path)
            return null;
        string[] lines;
        try
        {
            lines = File.ReadAllLines(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
        if (lines.Length < 6 || lines[0] != Format || lines[1] != key || !int.TryParse(lines[4], CultureInfo.InvariantCulture, out var minor))
            return null;
        foreach (var input in lines.Skip(6))
        {
            var tab = input.IndexOf('\t');
            if (tab < 0 || Stamp(machine.Stamp(input[(tab + 1)..])) != input[..tab])
                return null;
        }
        return new PythonInstallation(lines[2], lines[3].Length > 0 ? lines[3] : null, minor,
            lines[5].Length > 0 ? lines[5].Split(Separator) : []);
    }

    public static void Save(IMachine machine, string key, PythonInstallation found, IReadOnlyDictionary<string, long?> inputs)
    {
        var lines = new[] { Format, key, found.Library, found.Home ?? "", found.Minor.ToString(CultureInfo.InvariantCulture), string.Join(Separator, found.SitePackages) }
            .Concat(inputs.Select(input => $"{Stamp(input.Value)}\t{input.Key}"))
            .ToList();
        // A path with a line break in it would not read back as one line: such an entry is not written.
        if (EntryPath(machine, key) is not { } path || lines.Any(line => line.Contains('\n') || line.Contains('\r')))
            return;
        var temporary = $"{path}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp";
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllLines(temporary, lines);
            File.Move(temporary, path, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A cache that cannot be written (read-only home) only costs the next start its discovery.
            File.Delete(temporary);
        }
    }

    /// <summary>The user's cache folder (XDG_CACHE_HOME or ~/.cache, ~/Library/Caches, %LOCALAPPDATA%)/EmbeddedPython.</summary>
    public static string? Folder(IMachine machine)
    {
        var root = machine.Kind switch
        {
            MachineKind.Windows => machine.Variable("LOCALAPPDATA"),
            MachineKind.MacOS => Path.Combine(machine.HomeDirectory, "Library", "Caches"),
            _ => machine.Variable("XDG_CACHE_HOME") ?? (machine.HomeDirectory.Length > 0 ? Path.Combine(machine.HomeDirectory, ".cache") : null),
        };
        return root is null ? null : Path.Combine(root, "EmbeddedPython");
    }

    private static string Stamp(long? ticks) => ticks?.ToString(CultureInfo.InvariantCulture) ?? "-";

    private static string? EntryPath(IMachine machine, string key) =>
        Folder(machine) is { } folder
            ? Path.Combine(folder, $"discovery-{XxHash64.HashToUInt64(Encoding.UTF8.GetBytes(key)):x16}.txt")
            : null;
}

using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace EmbeddedPython.Locating;

/// <summary>
/// Remembers the last successful automatic discovery, so a second start does not pay it again. An entry is
/// one small JSON file in the user's cache folder, named by a hash of what discovery depends on beyond files
/// (working folder, PATH and the variables pyenv, virtual environments and installers use). It lists every
/// file and folder discovery looked at, found or not, with its last write time; when any of them changed,
/// appeared or went away (an interpreter replaced, a .python-version written, the library deleted) the
/// entry is ignored and discovery runs again. Written to a temporary file and renamed over the entry, so
/// concurrent processes read either a whole old entry or a whole new one. Registry values are not
/// watched; the library file they led to is.
/// </summary>
internal static partial class DiscoveryCache
{
    private const int Format = 1;

    private static readonly string[] Variables =
        ["PATH", "VIRTUAL_ENV", "PYENV_VERSION", "PYENV_ROOT", "PYENV_DIR", "PY_PYTHON", "HOMEBREW_PREFIX", "LOCALAPPDATA", "ProgramFiles", "NUGET_PACKAGES"];

    /// <summary>What, besides files, the discovery's answer depends on.</summary>
    public static string Key(IMachine machine, string? virtualEnvironment) =>
        string.Join('\n', new[] { $"format={Format}", $"cwd={machine.CurrentDirectory}", $"option VirtualEnvironment={virtualEnvironment}" }
            .Concat(Variables.Select(name => $"{name}={machine.Variable(name)}")));

    public static PythonInstallation? Load(IMachine machine, string key)
    {
        if (EntryPath(machine, key) is not { } path)
            return null;
        try
        {
            var entry = JsonSerializer.Deserialize(File.ReadAllText(path), CacheJson.Default.CacheEntry);
            if (entry is null || entry.Key != key || entry.Inputs.Any(input => machine.Stamp(input.Key) != input.Value))
                return null;
            return new PythonInstallation(entry.Library, entry.Home, entry.Minor, entry.SitePackages);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException)
        {
            return null;
        }
    }

    public static void Save(IMachine machine, string key, PythonInstallation found, IReadOnlyDictionary<string, long?> inputs)
    {
        if (EntryPath(machine, key) is not { } path)
            return;
        var temporary = $"{path}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp";
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            var entry = new CacheEntry(key, found.Library, found.Home, found.Minor, [.. found.SitePackages], new Dictionary<string, long?>(inputs));
            File.WriteAllText(temporary, JsonSerializer.Serialize(entry, CacheJson.Default.CacheEntry));
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

    private static string? EntryPath(IMachine machine, string key) =>
        Folder(machine) is { } folder
            ? Path.Combine(folder, $"discovery-{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)))[..16]}.json")
            : null;

    internal sealed record CacheEntry(string Key, string Library, string? Home, int Minor, string[] SitePackages, Dictionary<string, long?> Inputs);

    [JsonSerializable(typeof(CacheEntry))]
    internal sealed partial class CacheJson : JsonSerializerContext;
}

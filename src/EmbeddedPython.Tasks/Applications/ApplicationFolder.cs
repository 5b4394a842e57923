using System.Text.Json;

namespace EmbeddedPython.Tasks.Applications;

/// <summary>
/// An application: a folder of <c>.py</c>/<c>.py3</c> sources with a manifest, <c>application.json</c>, that
/// marks which scripts are executable and holds the application's global parameters:
/// <code>{ "executable": ["main.py", "tools/child.py"], "parameters": { "region": "eu" } }</code>
/// The manifest is read at every start, so editing it takes effect for the next task.
/// </summary>
internal sealed class ApplicationFolder
{
    public const string ManifestFileName = "application.json";

    private ApplicationFolder(string path, HashSet<string> executable, JsonElement? parameters)
    {
        Path = path;
        Executable = executable;
        GlobalParameters = parameters;
    }

    /// <summary>The folder's full path.</summary>
    public string Path { get; }

    /// <summary>Executable scripts, relative to the folder, with '/' separators.</summary>
    public IReadOnlySet<string> Executable { get; }

    /// <summary>The application's global parameters (a JSON object), merged under each task's own.</summary>
    public JsonElement? GlobalParameters { get; }

    /// <summary>Reads the folder's manifest.</summary>
    /// <exception cref="ArgumentException">The folder or its manifest is missing or malformed.</exception>
    public static ApplicationFolder Open(string applicationPath)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(applicationPath);
        var path = System.IO.Path.GetFullPath(applicationPath);
        if (!Directory.Exists(path))
            throw new ArgumentException($"Application folder '{path}' does not exist.", nameof(applicationPath));
        var manifestPath = System.IO.Path.Combine(path, ManifestFileName);
        if (!File.Exists(manifestPath))
            throw new ArgumentException($"Application folder '{path}' has no {ManifestFileName}, so none of its scripts is executable.", nameof(applicationPath));
        try
        {
            using var manifest = JsonDocument.Parse(File.ReadAllBytes(manifestPath));
            var root = manifest.RootElement;
            if (root.ValueKind != JsonValueKind.Object
                || !root.TryGetProperty("executable", out var list) || list.ValueKind != JsonValueKind.Array)
                throw new ArgumentException($"{manifestPath}: expected an object with an \"executable\" array of script paths.", nameof(applicationPath));
            var executable = new HashSet<string>(StringComparer.Ordinal);
            foreach (var item in list.EnumerateArray())
            {
                if (item.ValueKind != JsonValueKind.String || Normalize(item.GetString()!) is not { } script)
                    throw new ArgumentException($"{manifestPath}: \"executable\" entry {item.GetRawText()} is not a relative script path inside the application.", nameof(applicationPath));
                executable.Add(script);
            }
            JsonElement? parameters = null;
            if (root.TryGetProperty("parameters", out var globals))
            {
                if (globals.ValueKind != JsonValueKind.Object)
                    throw new ArgumentException($"{manifestPath}: \"parameters\" must be a JSON object.", nameof(applicationPath));
                parameters = globals.Clone();
            }
            return new ApplicationFolder(path, executable, parameters);
        }
        catch (JsonException error)
        {
            throw new ArgumentException($"{manifestPath} is not valid JSON: {error.Message}", nameof(applicationPath), error);
        }
    }

    /// <summary>The executable script's normalized relative path, or the reason it can't be started.</summary>
    public (string? Script, string? Error) Resolve(string scriptPath)
    {
        if (Normalize(scriptPath) is not { } script)
            return (null, $"'{scriptPath}' is not a relative script path inside application '{Path}'.");
        if (!File.Exists(System.IO.Path.Combine(Path, script)))
            return (null, $"Script '{script}' does not exist in application '{Path}'.");
        if (!Executable.Contains(script))
            return (null, $"Script '{script}' of application '{Path}' is not executable (not listed under \"executable\" in its {ManifestFileName}).");
        return (script, null);
    }

    /// <summary>"a\b/./c.py" → "a/b/c.py"; null for empty, rooted or escaping paths.</summary>
    private static string? Normalize(string scriptPath)
    {
        if (string.IsNullOrWhiteSpace(scriptPath) || System.IO.Path.IsPathRooted(scriptPath))
            return null;
        var parts = new List<string>();
        foreach (var part in scriptPath.Split('/', '\\'))
        {
            if (part is "" or ".")
                continue;
            if (part == "..")
                return null;
            parts.Add(part);
        }
        return parts.Count == 0 ? null : string.Join('/', parts);
    }
}

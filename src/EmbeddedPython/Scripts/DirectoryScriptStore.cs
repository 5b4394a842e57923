namespace EmbeddedPython.Scripts;

/// <summary>
/// Scripts as files under <see cref="PythonExecutorOptions.ScriptDirectory"/>: <c>Script = "jobs/report.py"</c>
/// (".py" may be left out). The version is the file's write time and length, so an edited file is compiled again.
/// </summary>
internal sealed class DirectoryScriptStore(string directory) : IScriptStore
{
    private readonly string _root = Path.GetFullPath(directory);

    public async ValueTask<PythonScript?> GetAsync(string name, CancellationToken cancellationToken = default)
    {
        var path = Path.GetFullPath(Path.Combine(_root, name.EndsWith(".py", StringComparison.Ordinal) ? name : name + ".py"));
        if (!path.StartsWith(_root + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            throw new ArgumentException($"Script '{name}' is outside the script directory '{_root}'.", nameof(PythonRequest.Script));
        var file = new FileInfo(path);
        if (!file.Exists)
            return null;
        var version = $"{file.LastWriteTimeUtc.Ticks}:{file.Length}";
        if (_cache.TryGetValue(path, out var cached) && cached.Version == version)
            return cached;
        var script = new PythonScript(await File.ReadAllTextAsync(path, cancellationToken).ConfigureAwait(false), version, path);
        _cache[path] = script;
        return script;
    }

    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, PythonScript> _cache = new();
}

using EmbeddedPython.Locating;

namespace EmbeddedPython.Tests.Locating;

/// <summary>
/// A machine rooted in a temporary folder tree: files are real (under <see cref="Root"/>), while the system
/// kind, environment variables, registry and processes are what the test says. Processes are only counted
/// and answered from <see cref="RunAnswer"/>, so a test can see that discovery started none.
/// </summary>
internal sealed class FakeMachine : IMachine, IDisposable
{
    private readonly IMachine _files = RealMachine.Instance;

    public FakeMachine(MachineKind kind = MachineKind.Linux)
    {
        Kind = kind;
        Root = Directory.CreateTempSubdirectory("fake-machine").FullName;
        HomeDirectory = Directory.CreateDirectory(Path.Combine(Root, "home", "user")).FullName;
        CurrentDirectory = Directory.CreateDirectory(Path.Combine(HomeDirectory, "project", "src")).FullName;
        Variables["XDG_CACHE_HOME"] = Path.Combine(Root, "cache");
    }

    public MachineKind Kind { get; }

    public string Root { get; }

    public string HomeDirectory { get; }

    public string CurrentDirectory { get; set; }

    public Dictionary<string, string> Variables { get; } = [];

    /// <summary>Registry values by "HIVE\key" and value name ("" for the default value).</summary>
    public Dictionary<string, Dictionary<string, string>> Registry { get; } = new(StringComparer.OrdinalIgnoreCase);

    public List<string> Runs { get; } = [];

    public string? RunAnswer { get; set; }

    /// <summary>Creates a file (and its folders) under the root; returns its full path.</summary>
    public string Touch(string relativePath, string content = "")
    {
        var path = Path.Combine(Root, relativePath);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
        return path;
    }

    public string Link(string relativePath, string target)
    {
        var path = Path.Combine(Root, relativePath);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.CreateSymbolicLink(path, target);
        return path;
    }

    public string At(string relativePath) => Path.Combine(Root, relativePath);

    public string? Variable(string name) => Variables.GetValueOrDefault(name);

    public bool FileExists(string path) => _files.FileExists(path);

    public bool DirectoryExists(string path) => _files.DirectoryExists(path);

    public IReadOnlyList<string> Directories(string path, string pattern) => _files.Directories(path, pattern);

    public IReadOnlyList<string> Files(string path, string pattern) => _files.Files(path, pattern);

    public string? ReadText(string path) => _files.ReadText(path);

    public string FinalTarget(string path) => _files.FinalTarget(path);

    public long? Stamp(string path) => _files.Stamp(path);

    public IReadOnlyList<string> RegistrySubKeys(string hive, string key)
    {
        var prefix = $@"{hive}\{key}\";
        return Registry.Keys
            .Where(k => k.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
            .Select(k => k[prefix.Length..].Split('\\')[0])
            .Distinct()
            .ToList();
    }

    public string? RegistryValue(string hive, string key, string? name) =>
        Registry.TryGetValue($@"{hive}\{key}", out var values) ? values.GetValueOrDefault(name ?? "") : null;

    public string? Run(string program, IReadOnlyList<string> arguments)
    {
        Runs.Add(program);
        return RunAnswer;
    }

    public void Dispose() => Directory.Delete(Root, recursive: true);
}

namespace EmbeddedPython.Locating;

/// <summary>
/// A machine that notes the last write time (or absence) of every file and folder discovery looks at,
/// which is what a <see cref="DiscoveryCache"/> entry is checked against.
/// </summary>
internal sealed class RecordingMachine(IMachine machine) : IMachine
{
    private readonly Dictionary<string, long?> _inputs = new(StringComparer.Ordinal);

    public IReadOnlyDictionary<string, long?> Inputs => _inputs;

    public MachineKind Kind => machine.Kind;

    public string Root => machine.Root;

    public string HomeDirectory => machine.HomeDirectory;

    public string CurrentDirectory => machine.CurrentDirectory;

    public string? Variable(string name) => machine.Variable(name);

    public bool FileExists(string path) => Record(path, machine.FileExists(path));

    public bool DirectoryExists(string path) => Record(path, machine.DirectoryExists(path));

    public IReadOnlyList<string> Directories(string path, string pattern) => Record(path, machine.Directories(path, pattern));

    public IReadOnlyList<string> Files(string path, string pattern) => Record(path, machine.Files(path, pattern));

    public string? ReadText(string path) => Record(path, machine.ReadText(path));

    public string FinalTarget(string path) => Record(path, machine.FinalTarget(path));

    public long? Stamp(string path) => machine.Stamp(path);

    public IReadOnlyList<string> RegistrySubKeys(string hive, string key) => machine.RegistrySubKeys(hive, key);

    public string? RegistryValue(string hive, string key, string? name) => machine.RegistryValue(hive, key, name);

    public string? Run(string program, IReadOnlyList<string> arguments) => Record(program, machine.Run(program, arguments));

    private T Record<T>(string path, T result)
    {
        if (!_inputs.ContainsKey(path))
            _inputs[path] = machine.Stamp(path);
        return result;
    }
}

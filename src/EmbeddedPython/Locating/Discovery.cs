namespace EmbeddedPython.Locating;

/// <summary>
/// One run of discovery: the machine it reads and every place it tried, so that failure can say exactly
/// where it looked. <see cref="Accept"/> is the one check every candidate library goes through.
/// </summary>
internal sealed class Discovery(IMachine machine)
{
    private readonly List<string> _tried = [];

    public IMachine Machine { get; } = machine;

    public IReadOnlyList<string> Tried => _tried;

    public void Note(string attempt) => _tried.Add(attempt);

    /// <summary>The installation of an existing, supported libpython, or null with the reason noted.</summary>
    /// <param name="library">The library's path.</param>
    /// <param name="source">Where the path came from, for the error.</param>
    /// <param name="home">The prefix its standard library is under, when the caller knows it.</param>
    public PythonInstallation? Accept(string library, string source, string? home = null)
    {
        if (!Machine.FileExists(library))
        {
            Note($"{library} ({source}): no such file");
            return null;
        }
        var minor = LibraryName.MinorOf(library);
        if (minor is null)
        {
            Note($"{library} ({source}): not a libpython3.X shared library name");
            return null;
        }
        if (!LibraryName.IsSupported(minor.Value))
        {
            Note($"{library} ({source}): Python 3.{minor} is not supported (3.{LibraryName.MinMinor}–3.{LibraryName.MaxMinor})");
            return null;
        }
        return new PythonInstallation(Path.GetFullPath(library), home ?? HomeOf(library, minor.Value), minor.Value, []);
    }

    /// <summary>Whether <paramref name="prefix"/> holds the standard library of 3.<paramref name="minor"/>.</summary>
    public bool IsHome(string prefix, int minor) =>
        Machine.FileExists(Path.Combine(prefix, "lib", $"python3.{minor}", "os.py"))
        || Machine.FileExists(Path.Combine(prefix, "Lib", "os.py"));

    /// <summary>The prefix whose standard library exists, searched upwards from the library's folder.</summary>
    private string? HomeOf(string library, int minor)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(library));
        for (var depth = 0; directory is not null && depth < 4; depth++, directory = Path.GetDirectoryName(directory))
        {
            if (IsHome(directory, minor))
                return directory;
        }
        return null;
    }
}

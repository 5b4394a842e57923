namespace EmbeddedPython.Locating;

/// <summary>The operating system discovery runs on: it decides file names, folder layouts and PATH syntax.</summary>
internal enum MachineKind
{
    Linux,
    MacOS,
    Windows,
}

/// <summary>
/// Everything discovery reads from the machine: environment, files, the Windows registry and, as a last
/// resort, a process. The real calls live in <see cref="RealMachine"/>; tests give a fake one rooted in a
/// temporary folder tree, which is how the macOS and Windows layouts are tested on Linux.
/// </summary>
internal interface IMachine
{
    MachineKind Kind { get; }

    /// <summary>The folder absolute well-known locations (<c>/usr/lib</c>, <c>/opt/homebrew</c>) are under: <c>/</c>.</summary>
    string Root { get; }

    string HomeDirectory { get; }

    string CurrentDirectory { get; }

    string? Variable(string name);

    bool FileExists(string path);

    bool DirectoryExists(string path);

    /// <summary>Sub-folders of <paramref name="path"/> matching <paramref name="pattern"/>; none when it is missing.</summary>
    IReadOnlyList<string> Directories(string path, string pattern);

    /// <summary>Files in <paramref name="path"/> matching <paramref name="pattern"/>; none when it is missing.</summary>
    IReadOnlyList<string> Files(string path, string pattern);

    /// <summary>The file's text, or null when it cannot be read.</summary>
    string? ReadText(string path);

    /// <summary>The file a chain of symbolic links ends at, or the path itself when it is no link.</summary>
    string FinalTarget(string path);

    /// <summary>Last write time of a file or folder in ticks, or null when it does not exist.</summary>
    long? Stamp(string path);

    /// <summary>Names of the sub-keys of a registry key (<paramref name="hive"/> is HKCU or HKLM); none elsewhere.</summary>
    IReadOnlyList<string> RegistrySubKeys(string hive, string key);

    /// <summary>A string value of a registry key (null name: the default value), or null.</summary>
    string? RegistryValue(string hive, string key, string? name);

    /// <summary>Runs a program to its end and returns its standard output, or null when it failed or could not start.</summary>
    string? Run(string program, IReadOnlyList<string> arguments);
}

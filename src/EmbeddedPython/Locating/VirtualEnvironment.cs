namespace EmbeddedPython.Locating;

/// <summary>A virtual environment read from its <c>pyvenv.cfg</c>: the base interpreter's folder, its version and site-packages.</summary>
/// <param name="Root">The environment's folder.</param>
/// <param name="Home">The folder of the interpreter it was made from (<c>home</c>).</param>
/// <param name="Minor">The 3.x minor version (<c>version</c>), when the file says.</param>
/// <param name="SitePackages">Its site-packages folders.</param>
internal sealed record VirtualEnvironment(string Root, string Home, int? Minor, IReadOnlyList<string> SitePackages)
{
    public static VirtualEnvironment Read(IMachine machine, string root)
    {
        var config = Path.Combine(root, "pyvenv.cfg");
        var text = machine.ReadText(config)
            ?? throw new ArgumentException($"VirtualEnvironment '{root}' has no pyvenv.cfg; is it a virtual environment?");
        var values = text.Split('\n')
            .Select(line => line.Split('=', 2))
            .Where(parts => parts.Length == 2)
            .GroupBy(parts => parts[0].Trim(), parts => parts[1].Trim())
            .ToDictionary(group => group.Key, group => group.First());
        var home = values.GetValueOrDefault("home")
            ?? throw new ArgumentException($"'{config}' names no 'home' interpreter folder.");
        var sitePackages = machine.Directories(Path.Combine(root, "lib"), "python3.*")
            .Select(folder => Path.Combine(folder, "site-packages"))
            .Append(Path.Combine(root, "Lib", "site-packages"))
            .Where(machine.DirectoryExists)
            .ToList();
        return new VirtualEnvironment(root, home, LibraryName.MinorOfVersion(values.GetValueOrDefault("version") ?? values.GetValueOrDefault("version_info")), sitePackages);
    }

    /// <summary>The base interpreter in <see cref="Home"/>: <c>python3.X</c>, <c>python3</c> or Windows' <c>python.exe</c>.</summary>
    public string? Interpreter(IMachine machine) =>
        new[] { Minor is { } minor ? $"python3.{minor}" : null, "python3", "python.exe" }
            .OfType<string>()
            .Select(name => Path.Combine(Home, name))
            .FirstOrDefault(machine.FileExists);
}

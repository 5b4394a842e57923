namespace EmbeddedPython.Locating;

/// <summary>A virtual environment read from its <c>pyvenv.cfg</c>: the base interpreter's folder and its site-packages.</summary>
internal sealed record VirtualEnvironment(string Root, string Home, IReadOnlyList<string> SitePackages)
{
    public static VirtualEnvironment Read(string root)
    {
        var config = Path.Combine(root, "pyvenv.cfg");
        if (!File.Exists(config))
            throw new ArgumentException($"VirtualEnvironment '{root}' has no pyvenv.cfg; is it a virtual environment?");
        var home = File.ReadLines(config)
            .Select(line => line.Split('=', 2))
            .Where(parts => parts.Length == 2 && parts[0].Trim() == "home")
            .Select(parts => parts[1].Trim())
            .FirstOrDefault()
            ?? throw new ArgumentException($"'{config}' names no 'home' interpreter folder.");
        var sitePackages = Directory.Exists(Path.Combine(root, "lib"))
            ? Directory.GetDirectories(Path.Combine(root, "lib"), "python3.*")
                .Select(d => Path.Combine(d, "site-packages"))
                .Where(Directory.Exists)
                .ToList()
            : [];
        return new VirtualEnvironment(root, home, sitePackages);
    }
}

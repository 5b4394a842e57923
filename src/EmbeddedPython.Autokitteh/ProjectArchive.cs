using System.Formats.Tar;

namespace EmbeddedPython.Autokitteh;

/// <summary>autokitteh's build step: a project folder packed as a tar (the <c>code.tar</c> a runner's
/// code directory is extracted from), without hidden names and <c>__pycache__</c>.</summary>
public static class ProjectArchive
{
    /// <summary>The files that go into the archive, as relative paths with '/' separators, in archive order.</summary>
    /// <param name="projectDirectory">The project folder.</param>
    public static IReadOnlyList<string> ListFiles(string projectDirectory)
    {
        var root = Path.GetFullPath(projectDirectory);
        return Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories)
            .Select(path => Path.GetRelativePath(root, path).Replace(Path.DirectorySeparatorChar, '/'))
            .Where(relative => !relative.Split('/').Any(part => part.StartsWith('.') || part.Contains("__pycache__", StringComparison.Ordinal)))
            .Order(StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>Writes the archive of <paramref name="projectDirectory"/> to <paramref name="destination"/>.</summary>
    /// <param name="projectDirectory">The project folder.</param>
    /// <param name="destination">Where the tar goes; left open.</param>
    public static void Write(string projectDirectory, Stream destination)
    {
        using var writer = new TarWriter(destination, TarEntryFormat.Pax, leaveOpen: true);
        foreach (var relative in ListFiles(projectDirectory))
            writer.WriteEntry(Path.Combine(projectDirectory, relative), relative);
    }
}

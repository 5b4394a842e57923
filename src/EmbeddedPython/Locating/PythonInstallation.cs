namespace EmbeddedPython.Locating;

/// <summary>A CPython found on the machine: its shared library, its home (prefix) and version.</summary>
/// <param name="Library">Path of libpython (a shared build).</param>
/// <param name="Home">The prefix its standard library lives under (PYTHONHOME), when known.</param>
/// <param name="Minor">3.x minor version.</param>
/// <param name="SitePackages">Extra site folders (a virtual environment's), added with <c>site.addsitedir</c>.</param>
internal sealed record PythonInstallation(string Library, string? Home, int Minor, IReadOnlyList<string> SitePackages)
{
    /// <summary>Folders put on sys.path in front of the installation's own.</summary>
    public IReadOnlyList<string> SearchPaths { get; init; } = [];
}

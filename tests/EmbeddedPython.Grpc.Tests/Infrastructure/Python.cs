namespace EmbeddedPython.Grpc.Tests.Infrastructure;

/// <summary>Small helpers for the Python source the tests write.</summary>
internal static class Python
{
    /// <summary>Removes the common indentation of a raw string literal's lines.</summary>
    public static string Source(string text) => text.ReplaceLineEndings("\n").TrimStart('\n');
}

/// <summary>A temporary folder of Python files, deleted with the test.</summary>
internal sealed class CodeDirectory : IDisposable
{
    public CodeDirectory()
    {
        Path = Directory.CreateTempSubdirectory("ep-grpc-").FullName;
    }

    public string Path { get; }

    public CodeDirectory With(string file, string source)
    {
        var full = System.IO.Path.Combine(Path, file);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(full)!);
        File.WriteAllText(full, Python.Source(source));
        return this;
    }

    public string PathOf(string file) => System.IO.Path.Combine(Path, file);

    public void Dispose() => Directory.Delete(Path, recursive: true);
}

using System.Text.RegularExpressions;

namespace EmbeddedPython.Locating;

/// <summary>
/// What an installation's own build data says about its shared library, read from the files
/// <c>sysconfig</c> itself reads (<c>lib/python3.X/_sysconfigdata_*.py</c>, else the <c>config-3.X*/Makefile</c>, which calls the flag PY_ENABLE_SHARED)
/// instead of starting the interpreter to ask.
/// </summary>
/// <param name="LibDir">LIBDIR: the folder the library is installed in.</param>
/// <param name="Names">INSTSONAME and LDLIBRARY, the library's file names.</param>
/// <param name="Multiarch">MULTIARCH, the sub-folder of LIBDIR Debian-style layouts use, or empty.</param>
/// <param name="Shared">Py_ENABLE_SHARED: false for a static build, which has no libpython to load.</param>
internal sealed partial record SysconfigData(string LibDir, IReadOnlyList<string> Names, string Multiarch, bool Shared)
{
    public static SysconfigData? Read(IMachine machine, string prefix, int minor)
    {
        var stdlib = Path.Combine(prefix, "lib", $"python3.{minor}");
        foreach (var file in machine.Files(stdlib, "_sysconfigdata_*.py"))
        {
            if (machine.ReadText(file) is { } text && FromValues(PythonDictEntry().Matches(text).ToDictionary(m => m.Groups[1].Value, m => m.Groups[2].Value)) is { } data)
                return data;
        }
        foreach (var folder in machine.Directories(stdlib, $"config-3.{minor}*"))
        {
            if (machine.ReadText(Path.Combine(folder, "Makefile")) is { } text && FromValues(ExpandMakefile(text)) is { } data)
                return data;
        }
        return null;
    }

    private static SysconfigData? FromValues(Dictionary<string, string> values)
    {
        if (!values.TryGetValue("LIBDIR", out var libDir) || libDir.Length == 0)
            return null;
        var names = new[] { "INSTSONAME", "LDLIBRARY" }
            .Select(key => values.GetValueOrDefault(key, ""))
            .Where(name => name.Length > 0)
            .Distinct()
            .ToList();
        return new SysconfigData(libDir, names, values.GetValueOrDefault("MULTIARCH", ""), (values.GetValueOrDefault("Py_ENABLE_SHARED") ?? values.GetValueOrDefault("PY_ENABLE_SHARED")) == "1");
    }

    /// <summary>A Makefile's simple assignments with their <c>$(NAME)</c>/<c>${NAME}</c> references expanded.</summary>
    private static Dictionary<string, string> ExpandMakefile(string text)
    {
        var raw = MakefileAssignment().Matches(text)
            .GroupBy(m => m.Groups[1].Value)
            .ToDictionary(g => g.Key, g => g.First().Groups[2].Value.Trim());
        string Expand(string value, int depth) => depth > 10 ? value : MakefileReference().Replace(value, m =>
            raw.TryGetValue(m.Groups[1].Success ? m.Groups[1].Value : m.Groups[2].Value, out var inner) ? Expand(inner, depth + 1) : "");
        return raw.ToDictionary(pair => pair.Key, pair => Expand(pair.Value, 0));
    }

    // 'LIBDIR': '/usr/lib/x86_64-linux-gnu',  or  'Py_ENABLE_SHARED': 1,
    [GeneratedRegex(@"^\s*'(\w+)':\s*'?([^',\n]*)'?,?\s*$", RegexOptions.Multiline)]
    private static partial Regex PythonDictEntry();

    [GeneratedRegex(@"^([A-Za-z_]\w*)=(.*)$", RegexOptions.Multiline)]
    private static partial Regex MakefileAssignment();

    [GeneratedRegex(@"\$\((\w+)\)|\$\{(\w+)\}")]
    private static partial Regex MakefileReference();
}

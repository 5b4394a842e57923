using System.Collections.Generic;
using System.Linq;

namespace EmbeddedPython.SourceGeneration.Emitting;

/// <summary>Python docstrings as XML documentation text.</summary>
internal static class Docstrings
{
    /// <summary>The lines of a docstring without the indentation its continuation lines share, and without
    /// blank lines at either end (what Python's <c>inspect.cleandoc</c> does).</summary>
    public static IReadOnlyList<string> Clean(string docstring)
    {
        var lines = docstring.Replace("\r\n", "\n").Split('\n').Select(l => l.Replace("\t", "        ")).ToList();
        var indent = lines.Skip(1).Where(l => l.Trim().Length > 0).Select(l => l.Length - l.TrimStart().Length).DefaultIfEmpty(0).Min();
        var cleaned = lines.Select((l, i) => i == 0 ? l.Trim() : (l.Length >= indent ? l.Substring(indent) : l.TrimStart()).TrimEnd()).ToList();
        while (cleaned.Count > 0 && cleaned[0].Length == 0)
            cleaned.RemoveAt(0);
        while (cleaned.Count > 0 && cleaned[cleaned.Count - 1].Length == 0)
            cleaned.RemoveAt(cleaned.Count - 1);
        return cleaned;
    }

    public static string Escape(string text) => text.Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;");
}

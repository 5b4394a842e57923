using System.Linq;
using System.Text;

namespace EmbeddedPython.SourceGeneration.Emitting;

/// <summary>A text writer that keeps the indentation of generated C#.</summary>
internal sealed class CodeWriter
{
    private readonly StringBuilder _text = new();
    private int _depth;

    public CodeWriter Line(string line = "")
    {
        if (line.Length > 0)
            _text.Append(' ', _depth * 4).Append(line);
        _text.Append('\n');
        return this;
    }

    public CodeWriter Open(string line)
    {
        Line(line);
        Line("{");
        _depth++;
        return this;
    }

    public CodeWriter Close(string suffix = "")
    {
        _depth--;
        return Line("}" + suffix);
    }

    /// <summary>An XML doc summary: the Python docstring (cleaned like inspect.cleandoc, escaped) when there
    /// is one, else <paramref name="fallbackXml"/> as written.</summary>
    public CodeWriter Summary(string? docstring, string fallbackXml)
    {
        Line("/// <summary>");
        var lines = docstring is null ? [fallbackXml] : Docstrings.Clean(docstring).Select(Docstrings.Escape);
        foreach (var line in lines)
            Line(line.Length == 0 ? "///" : "/// " + line);
        return Line("/// </summary>");
    }

    /// <summary>An XML doc summary written by the generator.</summary>
    public CodeWriter Summary(string xml) => Summary(null, xml);

    public override string ToString() => _text.ToString();
}

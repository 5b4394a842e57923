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

    /// <summary>An XML doc comment: the text (a Python docstring, cleaned like inspect.cleandoc) in a summary.</summary>
    public CodeWriter Summary(string text)
    {
        Line("/// <summary>");
        foreach (var line in Docstrings.Clean(text))
            Line("/// " + Docstrings.Escape(line));
        return Line("/// </summary>");
    }

    public override string ToString() => _text.ToString();
}

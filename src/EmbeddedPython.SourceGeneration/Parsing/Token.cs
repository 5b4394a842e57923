namespace EmbeddedPython.SourceGeneration.Parsing;

internal enum TokenKind
{
    Name,
    Number,
    String,
    Operator,
    Newline,
    Indent,
    Dedent,
    EndOfFile,
}

/// <summary>One token of Python source; <see cref="Start"/>/<see cref="End"/> index the source text.</summary>
internal readonly struct Token
{
    public Token(TokenKind kind, string text, int line, int column, int start, int end)
    {
        Kind = kind;
        Text = text;
        Line = line;
        Column = column;
        Start = start;
        End = end;
    }

    public TokenKind Kind { get; }

    public string Text { get; }

    /// <summary>1-based line of the token's first character.</summary>
    public int Line { get; }

    /// <summary>1-based column of the token's first character.</summary>
    public int Column { get; }

    public int Start { get; }

    public int End { get; }

    public bool Is(TokenKind kind, string text) => Kind == kind && Text == text;

    public bool IsOperator(string text) => Is(TokenKind.Operator, text);

    public bool IsName(string text) => Is(TokenKind.Name, text);

    public override string ToString() => $"{Kind} '{Text}' at {Line}:{Column}";
}

/// <summary>Malformed Python source: the message and where, for diagnostic EPY001.</summary>
internal sealed class PythonSyntaxException : System.Exception
{
    public PythonSyntaxException(string message, int line, int column)
        : base(message)
    {
        Line = line;
        Column = column;
    }

    public int Line { get; }

    public int Column { get; }
}

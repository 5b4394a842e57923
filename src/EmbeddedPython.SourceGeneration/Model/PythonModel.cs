namespace EmbeddedPython.SourceGeneration.Model;

// What the parser reads from a .py file: the Python side only, no C# decisions yet. Value-equatable, so
// the incremental pipeline stops at this step when an edit leaves the module's shape unchanged.

/// <summary>An expression the parser read (an annotation, a default, a decorator or a base class).</summary>
internal abstract record PyExpr(int Line);

/// <summary>A possibly dotted name: <c>int</c>, <c>typing.Optional</c>, <c>np.ndarray</c>.</summary>
internal sealed record PyName(string Dotted, int Line) : PyExpr(Line)
{
    /// <summary>The last part of the dotted name: <c>Optional</c> for <c>typing.Optional</c>.</summary>
    public string Last => Dotted.Substring(Dotted.LastIndexOf('.') + 1);
}

/// <summary><c>Target[Arguments…]</c>.</summary>
internal sealed record PySubscript(PyExpr Target, EquatableArray<PyExpr> Arguments, int Line) : PyExpr(Line);

/// <summary><c>A | B | …</c>.</summary>
internal sealed record PyUnion(EquatableArray<PyExpr> Options, int Line) : PyExpr(Line);

internal enum PyConstantKind
{
    String,
    Bytes,
    Integer,
    Float,
    True,
    False,
    None,
    Ellipsis,
}

/// <summary>A literal; <see cref="Value"/> is the decoded string, or the number's source text.</summary>
internal sealed record PyConstant(PyConstantKind Kind, string Value, int Line) : PyExpr(Line);

/// <summary>Any other expression (a call, a list display, arithmetic), kept as its source text.</summary>
internal sealed record PyOther(string Text, int Line) : PyExpr(Line);

internal enum PyParameterKind
{
    PositionalOnly,
    Normal,
    KeywordOnly,
    VarPositional,
    VarKeyword,
}

internal sealed record PyParameter(string Name, PyExpr? Annotation, PyExpr? Default, PyParameterKind Kind, int Line, int Column);

internal sealed record PyFunction(
    string Name,
    bool IsAsync,
    EquatableArray<PyParameter> Parameters,
    PyExpr? Returns,
    string? Docstring,
    EquatableArray<string> Decorators,
    int Line,
    int Column);

/// <summary>An annotated class-level name: <c>x: float = 0.0</c>.</summary>
internal sealed record PyField(string Name, PyExpr? Annotation, PyExpr? Default, int Line, int Column);

internal sealed record PyClass(
    string Name,
    EquatableArray<PyExpr> Bases,
    EquatableArray<string> Decorators,
    EquatableArray<PyField> Fields,
    EquatableArray<PyFunction> Methods,
    string? Docstring,
    int Line,
    int Column);

internal sealed record PyModule(EquatableArray<PyFunction> Functions, EquatableArray<PyClass> Classes, string? Docstring);

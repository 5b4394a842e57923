using Microsoft.CodeAnalysis;

namespace EmbeddedPython.SourceGeneration.Diagnostics;

/// <summary>The diagnostics of the Python module generator; each message is the full sentence.</summary>
internal static class GeneratorDiagnostics
{
    private const string Category = "EmbeddedPython.SourceGeneration";

    public static readonly DiagnosticDescriptor SyntaxError = new(
        "EPY001",
        "Python syntax error",
        "{0}",
        Category,
        DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "The .py file listed in AdditionalFiles could not be parsed, so no C# API was generated for it. Fix the Python syntax at the given line.");

    public static readonly DiagnosticDescriptor UnsupportedAnnotation = new(
        "EPY002",
        "Unsupported Python annotation",
        "{0}",
        Category,
        DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        description: "The annotation has no C# mapping; the value is typed PythonObject (a live handle). Use one of the supported types (see the README's type table) or annotate with typing.Any to silence this.");

    public static readonly DiagnosticDescriptor NameCollision = new(
        "EPY003",
        "Python names collide in C#",
        "{0}",
        Category,
        DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "Two Python names become the same C# name after PascalCasing (or camelCasing, for parameters); the second was left out. Rename one of them in the .py file.");

    public static readonly DiagnosticDescriptor GeneratorFailure = new(
        "EPY000",
        "Python module generator failed",
        "{0}",
        Category,
        DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "The generator met an unexpected condition; this is a bug of the generator. The message names the file and the failure.");

    public static DiagnosticDescriptor ById(string id) => id switch
    {
        "EPY001" => SyntaxError,
        "EPY002" => UnsupportedAnnotation,
        "EPY003" => NameCollision,
        _ => GeneratorFailure,
    };
}

using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace EmbeddedPython.SourceGeneration.Diagnostics;

/// <summary>A diagnostic as a value (no Roslyn objects), so that pipeline steps that produce one stay
/// comparable; turned into a <see cref="Diagnostic"/> only when reported.</summary>
internal sealed record DiagnosticInfo(string Id, string Message, string FilePath, int Line, int Column)
{
    public Diagnostic ToDiagnostic()
    {
        var position = new LinePosition(System.Math.Max(0, Line - 1), System.Math.Max(0, Column - 1));
        var location = Location.Create(FilePath, new TextSpan(0, 0), new LinePositionSpan(position, position));
        return Diagnostic.Create(GeneratorDiagnostics.ById(Id), location, Message);
    }
}

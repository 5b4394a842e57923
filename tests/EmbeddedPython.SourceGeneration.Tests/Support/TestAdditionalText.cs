using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace EmbeddedPython.SourceGeneration.Tests.Support;

/// <summary>An in-memory AdditionalFiles entry; an instance is one version of the file for the driver.</summary>
internal sealed class TestAdditionalText(string path, string text) : AdditionalText
{
    private readonly SourceText _text = SourceText.From(text);

    public override string Path => path;

    public override SourceText GetText(CancellationToken cancellationToken = default) => _text;
}

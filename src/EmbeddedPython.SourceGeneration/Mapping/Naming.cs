using System.Linq;
using System.Text;
using Microsoft.CodeAnalysis.CSharp;

namespace EmbeddedPython.SourceGeneration.Mapping;

/// <summary>Python snake_case names to C# names.</summary>
internal static class Naming
{
    /// <summary><c>count_words</c> → <c>CountWords</c>, <c>text_tools</c> → <c>TextTools</c>, <c>HTTPError</c> stays.</summary>
    public static string Pascal(string name)
    {
        var result = new StringBuilder(name.Length);
        var upperNext = true;
        foreach (var c in name)
        {
            if (c == '_' || c == '-' || c == '.')
            {
                upperNext = true;
                continue;
            }

            result.Append(upperNext ? char.ToUpperInvariant(c) : c);
            upperNext = false;
        }

        if (result.Length == 0 || char.IsDigit(result[0]))
            result.Insert(0, '_');
        return result.ToString();
    }

    /// <summary><c>min_length</c> → <c>minLength</c>; a C# keyword gets an <c>@</c>.</summary>
    public static string Camel(string name)
    {
        var pascal = Pascal(name);
        var camel = pascal[0] == '_' ? pascal : char.ToLowerInvariant(pascal[0]) + pascal.Substring(1);
        return SyntaxFacts.GetKeywordKind(camel) != SyntaxKind.None ? "@" + camel : camel;
    }

    /// <summary>Names a generated API leaves out: private (<c>_x</c>) and special (<c>__x__</c>) ones.</summary>
    public static bool IsPrivate(string name) => name.StartsWith("_", System.StringComparison.Ordinal);

    /// <summary>A C# string literal.</summary>
    public static string StringLiteral(string value) => SymbolDisplay.FormatLiteral(value, quote: true);

    public static bool IsIdentifier(string name) => name.All(c => c == '_' || char.IsLetterOrDigit(c));
}

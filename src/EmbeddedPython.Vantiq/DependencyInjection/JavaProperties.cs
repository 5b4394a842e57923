using System.Globalization;
using System.Text;

namespace EmbeddedPython.Vantiq.DependencyInjection;

/// <summary>
/// Reads the Java properties format of <c>server.config</c>: <c>key=value</c> or <c>key:value</c> (or
/// whitespace), <c>#</c>/<c>!</c> comments, backslash line continuations and escapes including <c>\uXXXX</c>.
/// Hand-written because no served .NET package reads this format; it is small and fully specified by
/// java.util.Properties.load.
/// </summary>
internal static class JavaProperties
{
    public static Dictionary<string, string> Parse(string text)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in LogicalLines(text))
        {
            var (key, value) = Split(line);
            result[Unescape(key)] = Unescape(value);
        }
        return result;
    }

    /// <summary>Physical lines joined where a line ends in an odd number of backslashes; leading
    /// whitespace of each line dropped; blank and comment lines skipped.</summary>
    private static IEnumerable<string> LogicalLines(string text)
    {
        var builder = new StringBuilder();
        var continuing = false;
        foreach (var raw in text.Replace("\r\n", "\n", StringComparison.Ordinal).Replace('\r', '\n').Split('\n'))
        {
            var line = raw.TrimStart(' ', '\t', '\f');
            if (!continuing && (line.Length == 0 || line[0] is '#' or '!'))
                continue;
            var trailing = 0;
            for (var i = line.Length - 1; i >= 0 && line[i] == '\\'; i--)
                trailing++;
            continuing = trailing % 2 == 1;
            builder.Append(continuing ? line[..^1] : line);
            if (continuing)
                continue;
            yield return builder.ToString();
            builder.Clear();
        }
        if (builder.Length > 0)
            yield return builder.ToString();
    }

    private static (string Key, string Value) Split(string line)
    {
        var end = 0;
        while (end < line.Length && line[end] is not ('=' or ':' or ' ' or '\t' or '\f'))
            end += line[end] == '\\' ? 2 : 1;
        end = Math.Min(end, line.Length);
        var rest = end;
        while (rest < line.Length && line[rest] is ' ' or '\t' or '\f')
            rest++;
        if (rest < line.Length && line[rest] is '=' or ':')
            rest++;
        while (rest < line.Length && line[rest] is ' ' or '\t' or '\f')
            rest++;
        return (line[..end], line[rest..]);
    }

    private static string Unescape(string text)
    {
        if (!text.Contains('\\', StringComparison.Ordinal))
            return text;
        var builder = new StringBuilder(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] != '\\' || i + 1 == text.Length)
            {
                builder.Append(text[i]);
                continue;
            }
            var c = text[++i];
            switch (c)
            {
                case 't': builder.Append('\t'); break;
                case 'n': builder.Append('\n'); break;
                case 'r': builder.Append('\r'); break;
                case 'f': builder.Append('\f'); break;
                case 'u' when i + 4 < text.Length && int.TryParse(text.AsSpan(i + 1, 4), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var code):
                    builder.Append((char)code);
                    i += 4;
                    break;
                default: builder.Append(c); break;
            }
        }
        return builder.ToString();
    }
}

using System.Globalization;

namespace EmbeddedPython;

/// <summary>Bounds error texts (messages, tracebacks, details) before they go where size is limited: protocol
/// headers and trailers, error frames, log lines. A syntax error in a 200,000-character source line carries
/// that line in its traceback; sent whole in trailers, a client with a header size limit cannot even read them.</summary>
public static class ErrorText
{
    /// <summary>The bound <see cref="Bound"/> applies when none is given: 4,096 characters.</summary>
    public const int DefaultMaxLength = 4096;

    /// <summary>The shortest bound <see cref="Bound"/> accepts: room for the cut marker and some text.</summary>
    public const int MinimumMaxLength = 64;

    /// <summary>Returns <paramref name="text"/> unchanged when it has at most <paramref name="maxLength"/>
    /// characters; otherwise its start and its end (where a traceback names the exception) around a marker
    /// that says how much was cut, e.g. <c>"… [cut: 196,000 characters] …"</c>, in at most
    /// <paramref name="maxLength"/> characters. Never splits a surrogate pair.</summary>
    /// <param name="text">The text to bound; null gives an empty string.</param>
    /// <param name="maxLength">The longest result, at least <see cref="MinimumMaxLength"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxLength"/> is below <see cref="MinimumMaxLength"/>.</exception>
    public static string Bound(string? text, int maxLength = DefaultMaxLength)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxLength, MinimumMaxLength);
        text ??= "";
        if (text.Length <= maxLength)
            return text;
        // The marker's own length depends on how much is cut; the longest count (text.Length) bounds it.
        var room = maxLength - Marker(text.Length).Length;
        var head = room * 2 / 3;
        var tail = room - head;
        if (char.IsHighSurrogate(text[head - 1]))
            head--;
        if (char.IsLowSurrogate(text[^tail]))
            tail--;
        return string.Concat(text.AsSpan(0, head), Marker(text.Length - head - tail), text.AsSpan(text.Length - tail));
    }

    private static string Marker(int cut) => string.Create(CultureInfo.InvariantCulture, $" … [cut: {cut:N0} characters] … ");
}

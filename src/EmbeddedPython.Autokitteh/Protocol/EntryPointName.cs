namespace EmbeddedPython.Autokitteh.Protocol;

/// <summary>An autokitteh entry point <c>file.py:function</c>: split at the first colon, the file part a
/// <c>.py</c> name whose module name is the file name without the extension.</summary>
internal sealed record EntryPointName(string File, string Module, string Function)
{
    /// <summary>Parses the text or returns null with the reason.</summary>
    public static EntryPointName? Parse(string text, out string? error)
    {
        error = null;
        var colon = text.IndexOf(':', StringComparison.Ordinal);
        if (colon < 0)
            error = $"entry point '{text}' is not of the form file.py:function";
        else if (!text[..colon].EndsWith(".py", StringComparison.Ordinal) || colon == 3)
            error = $"entry point '{text}': '{text[..colon]}' is not a .py file";
        else if (colon == text.Length - 1)
            error = $"entry point '{text}' names no function";
        if (error is not null)
            return null;
        var file = text[..colon];
        return new EntryPointName(file, file[..^3], text[(colon + 1)..]);
    }
}

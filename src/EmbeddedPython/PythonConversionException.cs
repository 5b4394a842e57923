namespace EmbeddedPython;

/// <summary>
/// A value did not fit the .NET or Python type asked for. The message names the place of the value that did
/// not fit and why, e.g. <c>result.items[3].price: str is not a double</c>; no value is ever silently defaulted.
/// </summary>
public sealed class PythonConversionException : Exception
{
    /// <summary>Creates the exception.</summary>
    public PythonConversionException(string path, string message, Exception? innerException = null)
        : base($"{path}: {message}", innerException)
    {
        Path = path;
    }

    /// <summary>Where the value that did not fit sits, from the root: <c>result.items[3].price</c>.</summary>
    public string Path { get; }
}

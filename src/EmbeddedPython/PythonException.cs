namespace EmbeddedPython;

/// <summary>Python code raised an exception, or its source could not be compiled.</summary>
public class PythonException : Exception
{
    /// <summary>Creates the exception.</summary>
    public PythonException(string pythonType, string message, string? pythonTraceback = null, int? lineNumber = null, int? offset = null, Exception? innerException = null)
        : base(message, innerException)
    {
        PythonType = pythonType;
        PythonTraceback = pythonTraceback;
        LineNumber = lineNumber;
        Offset = offset;
    }

    /// <summary>Qualified name of the Python exception type, e.g. <c>ValueError</c>.</summary>
    public string PythonType { get; }

    /// <summary>The formatted Python traceback, when there is one.</summary>
    public string? PythonTraceback { get; }

    /// <summary>For syntax errors: the 1-based line of the error.</summary>
    public int? LineNumber { get; }

    /// <summary>For syntax errors: the 1-based column of the error.</summary>
    public int? Offset { get; }
}

/// <summary>Code that handles its own return reported failure (<c>embedded_python.fail</c>, or a compatibility
/// name of <c>embedded_python.compat</c>), or ended without completing its request.</summary>
public sealed class PythonFailedException : PythonException
{
    /// <summary>Creates the exception.</summary>
    public PythonFailedException(string message, object? error)
        : this(message, error, null)
    {
    }

    /// <summary>Creates the exception with the Python exception that caused it.</summary>
    public PythonFailedException(string message, object? error, PythonException? cause)
        : base("embedded_python.Failed", message, innerException: cause)
    {
        Error = error;
    }

    /// <summary>What the code passed when it failed (a string or a converted dict), or null.</summary>
    public object? Error { get; }
}

/// <summary>A request's time limit ran out; running code was interrupted.</summary>
public sealed class PythonTimeoutException : TimeoutException
{
    /// <summary>Creates the exception.</summary>
    public PythonTimeoutException(string message) : base(message)
    {
    }
}

namespace EmbeddedPython;

/// <summary>What one request produced.</summary>
public sealed class PythonResult
{
    /// <summary>Creates a result.</summary>
    public PythonResult(IReadOnlyDictionary<string, object?> values, IReadOnlyList<object?> messages, string output)
    {
        Values = values;
        Messages = messages;
        Output = output;
    }

    /// <summary>The returned globals (Vantiq's <c>pythonCallResults</c>), converted to .NET values.</summary>
    public IReadOnlyDictionary<string, object?> Values { get; }

    /// <summary>What a <see cref="PythonRequest.CodeHandlesReturn"/> request sent, in order: every emitted value,
    /// then the value it completed with (left out when it completed with None, as a Vantiq 204 does).</summary>
    public IReadOnlyList<object?> Messages { get; }

    /// <summary>What the request printed to stdout and stderr.</summary>
    public string Output { get; }
}

using System.Diagnostics.CodeAnalysis;
using EmbeddedPython.Marshalling;

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

    /// <summary>The returned globals, converted to .NET values.</summary>
    public IReadOnlyDictionary<string, object?> Values { get; }

    /// <summary>What a <see cref="PythonRequest.CodeHandlesReturn"/> request sent, in order: every emitted value,
    /// then the value it completed with (left out when it completed with None).</summary>
    public IReadOnlyList<object?> Messages { get; }

    /// <summary>What the request printed to stdout and stderr.</summary>
    public string Output { get; }

    /// <summary>
    /// A returned global as <typeparamref name="T"/>: any type of the typed-conversion table in the README
    /// (numbers with range checks, strings, arrays, lists, dictionaries with keys of any convertible type, value
    /// tuples, enums, dates, records and classes filled by member name, …). Read from the converted value in
    /// <see cref="Values"/>, so it needs no interpreter.
    /// </summary>
    /// <exception cref="KeyNotFoundException">The result has no global of that name (it was not set, or it had
    /// no .NET form and was left out).</exception>
    /// <exception cref="PythonConversionException">The value does not fit <typeparamref name="T"/>; the message
    /// names where, from the global's name (<c>order.lines[2].price: str is not a double</c>).</exception>
    public T Get<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors | DynamicallyAccessedMemberTypes.PublicProperties)] T>(string name)
    {
        if (!Values.TryGetValue(name, out var value))
            throw new KeyNotFoundException($"The result has no value named '{name}': the code did not set it, or its value had no .NET form and was left out (returned names: {string.Join(", ", Values.Keys)}).");
        return TypedConversion.FromValue<T>(value, name);
    }
}

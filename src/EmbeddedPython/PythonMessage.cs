namespace EmbeddedPython;

/// <summary>One result sent by code that handles its own return.</summary>
/// <param name="Value">The value sent, converted to .NET.</param>
/// <param name="IsFinal">True on the last message of the request.</param>
public sealed record PythonMessage(object? Value, bool IsFinal);

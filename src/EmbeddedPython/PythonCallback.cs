namespace EmbeddedPython;

/// <summary>
/// A .NET function that Python code can call. Passed as a preset value it becomes a Python callable:
/// its positional arguments arrive converted to .NET values, what it returns is converted back, and an
/// exception it throws is raised in Python as <c>RuntimeError</c>. It runs on the thread that called it
/// from Python (the interpreter thread, or a Python thread the code started), without the GIL, so it may
/// block while Python threads go on. Called on the interpreter thread, it must not wait for another request
/// of the same executor (that request would wait for it).
/// </summary>
/// <param name="arguments">The call's positional arguments, converted to .NET values.</param>
/// <returns>The value Python receives.</returns>
public delegate object? PythonCallback(IReadOnlyList<object?> arguments);

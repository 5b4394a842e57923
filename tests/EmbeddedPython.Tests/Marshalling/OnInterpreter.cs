using EmbeddedPython.CPython;
using EmbeddedPython.Execution;
using EmbeddedPython.Marshalling;

namespace EmbeddedPython.Tests.Marshalling;

/// <summary>
/// Runs typed conversion on the interpreter thread (holding the GIL) against objects that real Python
/// expressions build, before any public call API reaches it.
/// </summary>
internal static unsafe class OnInterpreter
{
    /// <summary>Evaluates <paramref name="expression"/> and converts its value with TypedConversion.FromPython&lt;T&gt;.</summary>
    public static Task<T> FromPythonAsync<T>(PythonExecutor executor, string expression) =>
        RunAsync(executor, () =>
        {
            using var value = Evaluate(expression);
            return TypedConversion.FromPython<T>(value.Handle, "result");
        });

    /// <summary>Converts <paramref name="value"/> with TypedConversion.ToPython, applies the Python function
    /// <paramref name="inspect"/> (a lambda expression) to it and returns what that gives, untyped.</summary>
    public static Task<object?> InspectAsync(PythonExecutor executor, object? value, string inspect) =>
        InspectAsync<object?>(executor, value, inspect);

    /// <summary>As <see cref="InspectAsync(PythonExecutor, object?, string)"/>, converting what the function gives to <typeparamref name="T"/>.</summary>
    public static Task<T> InspectAsync<T>(PythonExecutor executor, object? value, string inspect) =>
        RunAsync(executor, () =>
        {
            using var converted = TypedConversion.ToPython(value, "argument");
            using var function = Evaluate(inspect);
            using var args = PyObject.Steal(Py.Tuple(converted.Handle));
            using var result = PyObject.Steal(Py.PyObject_CallObject(function.Handle, args.Handle));
            if (result.IsNull)
                throw PythonErrors.Take("inspect");
            return TypedConversion.FromPython<T>(result.Handle, "inspected");
        });

    /// <summary>builtins.eval(expression, {"__builtins__": builtins}), called through the C API.</summary>
    private static PyObject Evaluate(string expression)
    {
        using var builtins = Py.Import("builtins");
        using var eval = Py.GetAttr(builtins.Handle, "eval");
        using var text = PyObject.Steal(Py.FromString(expression));
        using var globals = PyObject.Steal(Py.PyDict_New());
        using var builtinsKey = PyObject.Steal(Py.Intern("__builtins__"));
        Py.PyDict_SetItem(globals.Handle, builtinsKey.Handle, builtins.Handle);
        using var args = PyObject.Steal(Py.Tuple(text.Handle, globals.Handle));
        var value = PyObject.Steal(Py.PyObject_CallObject(eval.Handle, args.Handle));
        if (value.IsNull)
            throw PythonErrors.Take("<test>");
        return value;
    }

    private static Task<T> RunAsync<T>(PythonExecutor executor, Func<T> work)
    {
        var done = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        executor.Interpreter.Post(() =>
        {
            try
            {
                done.SetResult(work());
            }
            catch (Exception e)
            {
                done.SetException(e);
            }
        });
        return done.Task.WaitAsync(TimeSpan.FromSeconds(60));
    }
}

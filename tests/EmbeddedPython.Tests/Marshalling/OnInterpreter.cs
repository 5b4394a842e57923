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
        RunAsync(executor, () =>
        {
            using var converted = TypedConversion.ToPython(value, "argument");
            using var function = Evaluate(inspect);
            using var args = PyObject.Steal(Py.Tuple(converted.Handle));
            using var result = PyObject.Steal(Py.PyObject_CallObject(function.Handle, args.Handle));
            if (result.IsNull)
                throw PythonErrors.Take("inspect");
            return TypedConversion.FromPython<object?>(result.Handle, "inspected");
        });

    private static PyObject Evaluate(string expression)
    {
        const int EvalInput = 258;
        var text = System.Text.Encoding.UTF8.GetBytes(expression + "\0");
        var name = "<test>\0"u8.ToArray();
        fixed (byte* t = text)
        fixed (byte* n = name)
        {
            using var code = PyObject.Steal(Py.Py_CompileString((nint)t, (nint)n, EvalInput));
            if (code.IsNull)
                throw PythonErrors.Take("<test>");
            using var globals = PyObject.Steal(Py.PyDict_New());
            using var builtinsKey = PyObject.Steal(Py.Intern("__builtins__"));
            Py.PyDict_SetItem(globals.Handle, builtinsKey.Handle, Py.PyEval_GetBuiltins());
            var value = PyObject.Steal(Py.PyEval_EvalCode(code.Handle, globals.Handle, globals.Handle));
            if (value.IsNull)
                throw PythonErrors.Take("<test>");
            return value;
        }
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

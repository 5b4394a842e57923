using EmbeddedPython.CPython;

namespace EmbeddedPython.Execution;

/// <summary>Turns the raised Python exception into a <see cref="PythonException"/> (and clears it).</summary>
internal static unsafe class PythonErrors
{
    public static PythonException Take(string? context = null)
    {
        if (Py.PyErr_Occurred() == 0)
            return new PythonException("SystemError", $"{context ?? "a CPython call"} failed without setting an exception");
        using var exception = Py.TakeException();
        return Describe(exception.Handle, context);
    }

    /// <summary>Describes an exception object: type, message, traceback, and line/offset for syntax errors.</summary>
    public static PythonException Describe(nint exception, string? context = null)
    {
        var runtime = Interpreter.RunningOrNull?.Runtime; // null before the runtime module is loaded
        if (runtime is not null)
        {
            using var args = PyObject.Steal(Py.Tuple(exception));
            using var parts = PyObject.Steal(Py.PyObject_CallObject(runtime.Attribute("describe"), args.Handle));
            if (!parts.IsNull)
            {
                string Text(int i) => Py.AsString(Py.PyTuple_GetItem(parts.Handle, i)) ?? "";
                int? Number(int i) => Marshalling.FromPython.TryConvert(Py.PyTuple_GetItem(parts.Handle, i), out var n) && n is long l ? (int)l : null;
                var traceback = Py.PyTuple_GetItem(parts.Handle, 2);
                return new PythonException(Text(0), Text(1), traceback == Py.None ? null : Text(2), Number(3), Number(4));
            }
            Py.PyErr_Clear();
        }
        // Before the runtime module is loaded (start-up failures) there is only str().
        var message = Py.Str(exception);
        return new PythonException("Exception", context is null ? message : $"{context}: {message}");
    }
}

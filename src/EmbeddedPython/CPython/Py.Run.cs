namespace EmbeddedPython.CPython;

internal static unsafe partial class Py
{
    public static delegate* unmanaged<nint, nint, nint, nint> PyEval_EvalCode;
    public static delegate* unmanaged<nint, nint, int, nint> Py_CompileString;
    public static delegate* unmanaged<nint> PyEval_GetBuiltins;
    public static delegate* unmanaged<nint, nint> PyImport_ImportModule;
    public static delegate* unmanaged<nint> PyImport_GetModuleDict;
    public static delegate* unmanaged<nint, nint> PyModule_New;
    public static delegate* unmanaged<nint, nint> PyModule_GetDict;
    public static delegate* unmanaged<nint, nint, nint> PyContextVar_Set;
    public static delegate* unmanaged<nint, nint, nint*, int> PyContextVar_Get;

    private static void BindRun(LibPython lib)
    {
        PyEval_EvalCode = (delegate* unmanaged<nint, nint, nint, nint>)lib.Export(nameof(PyEval_EvalCode));
        Py_CompileString = (delegate* unmanaged<nint, nint, int, nint>)lib.Export(nameof(Py_CompileString));
        PyEval_GetBuiltins = (delegate* unmanaged<nint>)lib.Export(nameof(PyEval_GetBuiltins));
        PyImport_ImportModule = (delegate* unmanaged<nint, nint>)lib.Export(nameof(PyImport_ImportModule));
        PyImport_GetModuleDict = (delegate* unmanaged<nint>)lib.Export(nameof(PyImport_GetModuleDict));
        PyModule_New = (delegate* unmanaged<nint, nint>)lib.Export(nameof(PyModule_New));
        PyModule_GetDict = (delegate* unmanaged<nint, nint>)lib.Export(nameof(PyModule_GetDict));
        PyContextVar_Set = (delegate* unmanaged<nint, nint, nint>)lib.Export(nameof(PyContextVar_Set));
        PyContextVar_Get = (delegate* unmanaged<nint, nint, nint*, int>)lib.Export(nameof(PyContextVar_Get));
    }

    /// <summary>Imports a module by name; a new reference, or a null object with the error set.</summary>
    public static PyObject Import(string name)
    {
        var utf8 = System.Text.Encoding.UTF8.GetBytes(name + "\0");
        fixed (byte* p = utf8)
            return PyObject.Steal(PyImport_ImportModule((nint)p));
    }

    /// <summary>Runs host source text in a fresh module namespace; throws <see cref="PythonException"/> on error.</summary>
    public static void RunSource(string source, string fileName)
    {
        const int FileInput = 257;
        var text = System.Text.Encoding.UTF8.GetBytes(source + "\0");
        var name = System.Text.Encoding.UTF8.GetBytes(fileName + "\0");
        fixed (byte* t = text)
        fixed (byte* n = name)
        {
            using var code = PyObject.Steal(Py_CompileString((nint)t, (nint)n, FileInput));
            if (code.IsNull)
                throw Execution.PythonErrors.Take(fileName);
            using var globals = PyObject.Steal(PyDict_New());
            using var builtinsKey = PyObject.Steal(Intern("__builtins__"));
            PyDict_SetItem(globals.Handle, builtinsKey.Handle, PyEval_GetBuiltins());
            using var result = PyObject.Steal(PyEval_EvalCode(code.Handle, globals.Handle, globals.Handle));
            if (result.IsNull)
                throw Execution.PythonErrors.Take(fileName);
        }
    }

    /// <summary>getattr(obj, name); a new reference, or a null object with the error set.</summary>
    public static PyObject GetAttr(nint obj, string name)
    {
        var utf8 = System.Text.Encoding.UTF8.GetBytes(name + "\0");
        fixed (byte* p = utf8)
            return PyObject.Steal(PyObject_GetAttrString(obj, (nint)p));
    }
}

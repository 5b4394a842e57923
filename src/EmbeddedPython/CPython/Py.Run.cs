namespace EmbeddedPython.CPython;

internal static unsafe partial class Py
{
    public static delegate* unmanaged<nint, nint, nint, nint> PyEval_EvalCode;
    public static delegate* unmanaged<nint, nint> PyImport_ImportModule;
    public static delegate* unmanaged<nint> PyImport_GetModuleDict;
    public static delegate* unmanaged<nint, nint> PyModule_New;
    public static delegate* unmanaged<nint, nint> PyModule_GetDict;
    public static delegate* unmanaged<nint, nint, nint> PyContextVar_Set;
    public static delegate* unmanaged<nint, nint, nint*, int> PyContextVar_Get;

    private static void BindRun(LibPython lib)
    {
        PyEval_EvalCode = (delegate* unmanaged<nint, nint, nint, nint>)lib.Export(nameof(PyEval_EvalCode));
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

    /// <summary>getattr(obj, name); a new reference, or a null object with the error set.</summary>
    public static PyObject GetAttr(nint obj, string name)
    {
        var utf8 = System.Text.Encoding.UTF8.GetBytes(name + "\0");
        fixed (byte* p = utf8)
            return PyObject.Steal(PyObject_GetAttrString(obj, (nint)p));
    }
}

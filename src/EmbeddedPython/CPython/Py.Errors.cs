namespace EmbeddedPython.CPython;

internal static unsafe partial class Py
{
    public static delegate* unmanaged<nint> PyErr_Occurred;
    public static delegate* unmanaged<void> PyErr_Clear;
    public static delegate* unmanaged<nint*, nint*, nint*, void> PyErr_Fetch;
    public static delegate* unmanaged<nint*, nint*, nint*, void> PyErr_NormalizeException;
    public static delegate* unmanaged<nint, nint, int> PyException_SetTraceback;
    /// <summary>3.12+ only (null before): the raised exception as one normalised object.</summary>
    public static delegate* unmanaged<nint> PyErr_GetRaisedException;
    public static delegate* unmanaged<nint, nint, void> PyErr_SetString;
    public static delegate* unmanaged<nint, nint, int> PyErr_GivenExceptionMatches;
    public static nint PyExc_RuntimeError, PyExc_ValueError, PyExc_TypeError, PyExc_SystemExit, PyExc_PermissionError;

    private static void BindErrors(LibPython lib)
    {
        PyErr_Occurred = (delegate* unmanaged<nint>)lib.Export(nameof(PyErr_Occurred));
        PyErr_Clear = (delegate* unmanaged<void>)lib.Export(nameof(PyErr_Clear));
        PyErr_Fetch = (delegate* unmanaged<nint*, nint*, nint*, void>)lib.Export(nameof(PyErr_Fetch));
        PyErr_NormalizeException = (delegate* unmanaged<nint*, nint*, nint*, void>)lib.Export(nameof(PyErr_NormalizeException));
        PyException_SetTraceback = (delegate* unmanaged<nint, nint, int>)lib.Export(nameof(PyException_SetTraceback));
        PyErr_GetRaisedException = (delegate* unmanaged<nint>)lib.OptionalExport(nameof(PyErr_GetRaisedException));
        PyErr_SetString = (delegate* unmanaged<nint, nint, void>)lib.Export(nameof(PyErr_SetString));
        PyErr_GivenExceptionMatches = (delegate* unmanaged<nint, nint, int>)lib.Export(nameof(PyErr_GivenExceptionMatches));
        // PyExc_* are exported variables holding the type pointer.
        PyExc_RuntimeError = *(nint*)lib.Export(nameof(PyExc_RuntimeError));
        PyExc_ValueError = *(nint*)lib.Export(nameof(PyExc_ValueError));
        PyExc_TypeError = *(nint*)lib.Export(nameof(PyExc_TypeError));
        PyExc_SystemExit = *(nint*)lib.Export(nameof(PyExc_SystemExit));
        PyExc_PermissionError = *(nint*)lib.Export(nameof(PyExc_PermissionError));
    }

    /// <summary>Takes the raised exception (normalised, traceback attached) out of the error indicator.</summary>
    public static PyObject TakeException()
    {
        if (PyErr_GetRaisedException != null)
            return PyObject.Steal(PyErr_GetRaisedException());
        nint type, value, traceback;
        PyErr_Fetch(&type, &value, &traceback);
        PyErr_NormalizeException(&type, &value, &traceback);
        if (traceback != 0 && value != 0)
            PyException_SetTraceback(value, traceback);
        if (type != 0) Py_DecRef(type);
        if (traceback != 0) Py_DecRef(traceback);
        return PyObject.Steal(value);
    }

    /// <summary>Raises <paramref name="type"/> with a message in Python (for callbacks that return NULL).</summary>
    public static void SetError(nint type, string message)
    {
        var utf8 = System.Text.Encoding.UTF8.GetBytes(message + "\0");
        fixed (byte* p = utf8)
            PyErr_SetString(type, (nint)p);
    }
}

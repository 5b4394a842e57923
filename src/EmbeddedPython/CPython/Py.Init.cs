namespace EmbeddedPython.CPython;

internal static unsafe partial class Py
{
    public static delegate* unmanaged<int, void> Py_InitializeEx;
    public static delegate* unmanaged<int> Py_IsInitialized;
    public static delegate* unmanaged<int> Py_FinalizeEx;
    public static delegate* unmanaged<nint> Py_GetVersion;
    public static delegate* unmanaged<nint> PyEval_SaveThread;
    public static delegate* unmanaged<nint, void> PyEval_RestoreThread;
    public static delegate* unmanaged<int> PyGILState_Ensure;
    public static delegate* unmanaged<int, void> PyGILState_Release;

    private static void BindInit(LibPython lib)
    {
        Py_InitializeEx = (delegate* unmanaged<int, void>)lib.Export(nameof(Py_InitializeEx));
        Py_IsInitialized = (delegate* unmanaged<int>)lib.Export(nameof(Py_IsInitialized));
        Py_FinalizeEx = (delegate* unmanaged<int>)lib.Export(nameof(Py_FinalizeEx));
        Py_GetVersion = (delegate* unmanaged<nint>)lib.Export(nameof(Py_GetVersion));
        PyEval_SaveThread = (delegate* unmanaged<nint>)lib.Export(nameof(PyEval_SaveThread));
        PyEval_RestoreThread = (delegate* unmanaged<nint, void>)lib.Export(nameof(PyEval_RestoreThread));
        PyGILState_Ensure = (delegate* unmanaged<int>)lib.Export(nameof(PyGILState_Ensure));
        PyGILState_Release = (delegate* unmanaged<int, void>)lib.Export(nameof(PyGILState_Release));
    }
}

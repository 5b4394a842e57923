namespace EmbeddedPython.CPython;

internal static unsafe partial class Py
{
    public static delegate* unmanaged<nint, nint> PyList_New;
    public static delegate* unmanaged<nint, nint, nint> PyList_GetItem;
    public static delegate* unmanaged<nint, nint> PyList_Size;
    public static delegate* unmanaged<nint, nint, int> PyList_Append;
    public static delegate* unmanaged<nint, nint, nint, int> PyList_Insert;
    public static delegate* unmanaged<nint, nint> PyTuple_New;
    public static delegate* unmanaged<nint, nint, nint, int> PyTuple_SetItem;
    public static delegate* unmanaged<nint, nint, nint> PyTuple_GetItem;
    public static delegate* unmanaged<nint, nint> PyTuple_Size;
    public static delegate* unmanaged<nint> PyDict_New;
    public static delegate* unmanaged<nint, nint> PyDict_Copy;
    public static delegate* unmanaged<nint, nint, nint, int> PyDict_SetItem;
    public static delegate* unmanaged<nint, nint, nint> PyDict_GetItemWithError;
    public static delegate* unmanaged<nint, nint*, nint*, nint*, int> PyDict_Next;
    public static delegate* unmanaged<nint, nint> PyDict_Size;
    public static delegate* unmanaged<nint, nint, int> PySet_Add;
    public static delegate* unmanaged<nint, nint, int> PySet_Discard;
    public static delegate* unmanaged<nint, nint, int> PySet_Contains;

    private static void BindContainers(LibPython lib)
    {
        PyList_New = (delegate* unmanaged<nint, nint>)lib.Export(nameof(PyList_New));
        PyList_GetItem = (delegate* unmanaged<nint, nint, nint>)lib.Export(nameof(PyList_GetItem));
        PyList_Size = (delegate* unmanaged<nint, nint>)lib.Export(nameof(PyList_Size));
        PyList_Append = (delegate* unmanaged<nint, nint, int>)lib.Export(nameof(PyList_Append));
        PyList_Insert = (delegate* unmanaged<nint, nint, nint, int>)lib.Export(nameof(PyList_Insert));
        PyTuple_New = (delegate* unmanaged<nint, nint>)lib.Export(nameof(PyTuple_New));
        PyTuple_SetItem = (delegate* unmanaged<nint, nint, nint, int>)lib.Export(nameof(PyTuple_SetItem));
        PyTuple_GetItem = (delegate* unmanaged<nint, nint, nint>)lib.Export(nameof(PyTuple_GetItem));
        PyTuple_Size = (delegate* unmanaged<nint, nint>)lib.Export(nameof(PyTuple_Size));
        PyDict_New = (delegate* unmanaged<nint>)lib.Export(nameof(PyDict_New));
        PyDict_Copy = (delegate* unmanaged<nint, nint>)lib.Export(nameof(PyDict_Copy));
        PyDict_SetItem = (delegate* unmanaged<nint, nint, nint, int>)lib.Export(nameof(PyDict_SetItem));
        PyDict_GetItemWithError = (delegate* unmanaged<nint, nint, nint>)lib.Export(nameof(PyDict_GetItemWithError));
        PyDict_Next = (delegate* unmanaged<nint, nint*, nint*, nint*, int>)lib.Export(nameof(PyDict_Next));
        PyDict_Size = (delegate* unmanaged<nint, nint>)lib.Export(nameof(PyDict_Size));
        PySet_Add = (delegate* unmanaged<nint, nint, int>)lib.Export(nameof(PySet_Add));
        PySet_Discard = (delegate* unmanaged<nint, nint, int>)lib.Export(nameof(PySet_Discard));
        PySet_Contains = (delegate* unmanaged<nint, nint, int>)lib.Export(nameof(PySet_Contains));
    }

    /// <summary>A new tuple holding new references to <paramref name="items"/>.</summary>
    public static nint Tuple(params ReadOnlySpan<nint> items)
    {
        var tuple = PyTuple_New(items.Length);
        if (tuple == 0)
            return 0;
        for (var i = 0; i < items.Length; i++)
            PyTuple_SetItem(tuple, i, NewRef(items[i]));
        return tuple;
    }
}

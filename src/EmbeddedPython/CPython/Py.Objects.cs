namespace EmbeddedPython.CPython;

internal static unsafe partial class Py
{
    public static delegate* unmanaged<nint, void> Py_IncRef;
    public static delegate* unmanaged<nint, void> Py_DecRef;
    public static delegate* unmanaged<nint, nint, nint> PyObject_GetAttrString;
    public static delegate* unmanaged<nint, nint, nint, int> PyObject_SetAttrString;
    public static delegate* unmanaged<nint, nint, nint> PyObject_CallObject;
    public static delegate* unmanaged<nint, nint, nint, nint> PyObject_Call;
    public static delegate* unmanaged<nint, nint, nint> PyObject_GetAttr;
    public static delegate* unmanaged<nint, nint> PyObject_Str;
    public static delegate* unmanaged<nint, nint> PyObject_GetIter;
    public static delegate* unmanaged<nint, nint> PyIter_Next;
    public static delegate* unmanaged<nint, ulong> PyType_GetFlags;
    public static delegate* unmanaged<nint, nint, int> PyObject_IsInstance;

    // Singletons and the builtin types, compared by address (exact-type tests are what keeps reading values fast).
    public static nint None, True, False;
    public static nint LongType, BoolType, FloatType, UnicodeType, BytesType, ByteArrayType,
        ListType, TupleType, DictType, SetType, FrozenSetType;

    // Type flags for subclasses of the builtin types (stable ABI values).
    public const ulong LongSubclass = 1UL << 24, ListSubclass = 1UL << 25, TupleSubclass = 1UL << 26,
        BytesSubclass = 1UL << 27, UnicodeSubclass = 1UL << 28, DictSubclass = 1UL << 29;

    private static void BindObjects(LibPython lib)
    {
        Py_IncRef = (delegate* unmanaged<nint, void>)lib.Export(nameof(Py_IncRef));
        Py_DecRef = (delegate* unmanaged<nint, void>)lib.Export(nameof(Py_DecRef));
        PyObject_GetAttrString = (delegate* unmanaged<nint, nint, nint>)lib.Export(nameof(PyObject_GetAttrString));
        PyObject_SetAttrString = (delegate* unmanaged<nint, nint, nint, int>)lib.Export(nameof(PyObject_SetAttrString));
        PyObject_CallObject = (delegate* unmanaged<nint, nint, nint>)lib.Export(nameof(PyObject_CallObject));
        PyObject_Call = (delegate* unmanaged<nint, nint, nint, nint>)lib.Export(nameof(PyObject_Call));
        PyObject_GetAttr = (delegate* unmanaged<nint, nint, nint>)lib.Export(nameof(PyObject_GetAttr));
        PyObject_Str = (delegate* unmanaged<nint, nint>)lib.Export(nameof(PyObject_Str));
        PyObject_GetIter = (delegate* unmanaged<nint, nint>)lib.Export(nameof(PyObject_GetIter));
        PyIter_Next = (delegate* unmanaged<nint, nint>)lib.Export(nameof(PyIter_Next));
        PyType_GetFlags = (delegate* unmanaged<nint, ulong>)lib.Export(nameof(PyType_GetFlags));
        PyObject_IsInstance = (delegate* unmanaged<nint, nint, int>)lib.Export(nameof(PyObject_IsInstance));

        None = lib.Export("_Py_NoneStruct");
        True = lib.Export("_Py_TrueStruct");
        False = lib.Export("_Py_FalseStruct");
        LongType = lib.Export("PyLong_Type");
        BoolType = lib.Export("PyBool_Type");
        FloatType = lib.Export("PyFloat_Type");
        UnicodeType = lib.Export("PyUnicode_Type");
        BytesType = lib.Export("PyBytes_Type");
        ByteArrayType = lib.Export("PyByteArray_Type");
        ListType = lib.Export("PyList_Type");
        TupleType = lib.Export("PyTuple_Type");
        DictType = lib.Export("PyDict_Type");
        SetType = lib.Export("PySet_Type");
        FrozenSetType = lib.Export("PyFrozenSet_Type");
    }

    /// <summary>
    /// The object's type, read from <c>ob_type</c> (the second word of every object header). This holds for
    /// the GIL builds of 3.9–3.14 that we support (3.14 splits the first word into flags and a 32-bit count,
    /// still one word), not for free-threaded builds, and saves the two calls of <c>PyObject_Type</c> + DecRef
    /// per value on the conversion hot path.
    /// </summary>
    public static nint TypeOf(nint obj) => *(nint*)(obj + sizeof(nint));

    /// <summary>
    /// The name of the object's type (<c>int</c>, <c>numpy.ndarray</c>), read from <c>tp_name</c>, the word after
    /// the variable-size object header of the type object (same layout in 3.9–3.13), for error messages.
    /// </summary>
    public static string TypeName(nint obj) =>
        System.Runtime.InteropServices.Marshal.PtrToStringUTF8(*(nint*)(TypeOf(obj) + 3 * sizeof(nint))) ?? "?";

    /// <summary>Returns <paramref name="obj"/> with one more reference (for APIs that steal one).</summary>
    public static nint NewRef(nint obj)
    {
        Py_IncRef(obj);
        return obj;
    }
}

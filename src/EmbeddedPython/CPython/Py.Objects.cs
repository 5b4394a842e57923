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

    // Where an object's header keeps ob_type, and a type object tp_name (after its variable-size header):
    // words 1 and 3 in GIL builds; free-threaded builds (3.13t) put a thread id, flags, a mutex and two
    // counts before ob_type. The build is known by an export only free-threaded builds have.
    private static int s_typeOffset = sizeof(nint), s_nameOffset = 3 * sizeof(nint);

    private static void BindObjects(LibPython lib)
    {
        if (lib.OptionalExport("_Py_MergeZeroLocalRefcount") != 0)
            (s_typeOffset, s_nameOffset) = (24, 40);
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
    /// The object's type, read from <c>ob_type</c> (the second word of the header in the GIL builds of
    /// 3.9–3.14, where 3.14 splits the first word into flags and a 32-bit count; further on in free-threaded
    /// builds, see <see cref="s_typeOffset"/>). A type never changes while a reference is held, so the read
    /// needs no lock; it saves the two calls of <c>PyObject_Type</c> + DecRef per value on the conversion hot path.
    /// </summary>
    public static nint TypeOf(nint obj) => *(nint*)(obj + s_typeOffset);

    /// <summary>The <c>tp_name</c> of a type object (<c>int</c>, <c>numpy.ndarray</c>; for classes defined in
    /// Python, the bare name), for messages.</summary>
    public static string TypeObjectName(nint type) =>
        System.Runtime.InteropServices.Marshal.PtrToStringUTF8(*(nint*)(type + s_nameOffset)) ?? "?";

    /// <summary>The name of the object's type (see <see cref="TypeObjectName"/>), for error messages.</summary>
    public static string TypeName(nint obj) => TypeObjectName(TypeOf(obj));

    /// <summary>Returns <paramref name="obj"/> with one more reference (for APIs that steal one).</summary>
    public static nint NewRef(nint obj)
    {
        Py_IncRef(obj);
        return obj;
    }
}

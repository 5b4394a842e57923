namespace EmbeddedPython.CPython;

internal static unsafe partial class Py
{
    public static delegate* unmanaged<nint, nint, nint, nint> PyCFunction_NewEx;
    public static delegate* unmanaged<nint, nint, nint, nint> PyCapsule_New;
    public static delegate* unmanaged<nint, nint, nint> PyCapsule_GetPointer;

    // PyMethodDef.ml_flags values (stable ABI).
    public const int MethVarArgs = 0x1, MethKeywords = 0x2;

    private static void BindFunctions(LibPython lib)
    {
        PyCFunction_NewEx = (delegate* unmanaged<nint, nint, nint, nint>)lib.Export(nameof(PyCFunction_NewEx));
        PyCapsule_New = (delegate* unmanaged<nint, nint, nint, nint>)lib.Export(nameof(PyCapsule_New));
        PyCapsule_GetPointer = (delegate* unmanaged<nint, nint, nint>)lib.Export(nameof(PyCapsule_GetPointer));
    }
}

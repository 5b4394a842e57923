namespace EmbeddedPython.CPython;

// Hooks into the interpreter itself: PEP 578 audit hooks, pending calls on the main thread, and os.fspath.
internal static unsafe partial class Py
{
    /// <summary>PySys_AddAuditHook(hook(event, args, userData), userData): 0, or -1 with an error set.</summary>
    public static delegate* unmanaged<delegate* unmanaged<byte*, nint, nint, int>, nint, int> PySys_AddAuditHook;
    /// <summary>Py_AddPendingCall(func(arg), arg): runs func on the main thread at its next check; callable without the GIL.</summary>
    public static delegate* unmanaged<delegate* unmanaged<nint, int>, nint, int> Py_AddPendingCall;
    public static delegate* unmanaged<nint, nint> PyOS_FSPath;

    private static void BindSys(LibPython lib)
    {
        PySys_AddAuditHook = (delegate* unmanaged<delegate* unmanaged<byte*, nint, nint, int>, nint, int>)lib.Export(nameof(PySys_AddAuditHook));
        Py_AddPendingCall = (delegate* unmanaged<delegate* unmanaged<nint, int>, nint, int>)lib.Export(nameof(Py_AddPendingCall));
        PyOS_FSPath = (delegate* unmanaged<nint, nint>)lib.Export(nameof(PyOS_FSPath));
    }
}

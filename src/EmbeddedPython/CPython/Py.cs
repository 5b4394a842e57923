namespace EmbeddedPython.CPython;

/// <summary>
/// The CPython C API, bound by name at run time so one build runs on 3.9–3.14 (3.14 checked against its
/// headers: every name bound here is still exported there, all but PyContextVar_Set as part of the stable
/// ABI, and the object header keeps ob_type in its second word). One file per area of the API; every member is a raw entry point: callers own references through <see cref="PyObject"/>.
/// Only the interpreter thread, or a thread Python itself called us on, may use these (they need the GIL).
/// </summary>
internal static unsafe partial class Py
{
    public static void Bind(LibPython library)
    {
        BindInit(library);
        BindObjects(library);
        BindNumbers(library);
        BindText(library);
        BindContainers(library);
        BindErrors(library);
        BindRun(library);
        BindFunctions(library);
        BindMemory(library);
        BindBuffers(library);
        BindSys(library);
        BindInterpreters(library);
    }
}

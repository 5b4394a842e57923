using System.Runtime.InteropServices;

namespace EmbeddedPython.CPython;

/// <summary>CPython's <c>PyInterpreterConfig</c> (3.12 and 3.13 lay it out alike): how a sub-interpreter is isolated.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct PyInterpreterConfig
{
    public int UseMainObmalloc;
    public int AllowFork;
    public int AllowExec;
    public int AllowThreads;
    public int AllowDaemonThreads;
    public int CheckMultiInterpExtensions;
    public int Gil;

    private const int OwnGil = 2; // PyInterpreterConfig_OWN_GIL

    /// <summary>What <c>_PyInterpreterConfig_INIT</c> sets: its own GIL and allocator, no fork or exec, threads
    /// but no daemon threads, and only extension modules that support several interpreters.</summary>
    public static PyInterpreterConfig Isolated => new()
    {
        UseMainObmalloc = 0,
        AllowFork = 0,
        AllowExec = 0,
        AllowThreads = 1,
        AllowDaemonThreads = 0,
        CheckMultiInterpExtensions = 1,
        Gil = OwnGil,
    };
}

/// <summary>CPython's <c>PyStatus</c>, returned by value by the interpreter life-cycle functions.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct PyStatus
{
    public int Type; // 0 ok, 1 error, 2 exit
    public nint Function;
    public nint Message;
    public int ExitCode;
}

// Sub-interpreters (3.12+) and the thread states that reach into one from another thread.
internal static unsafe partial class Py
{
    /// <summary>0 below 3.12.</summary>
    public static delegate* unmanaged<nint*, PyInterpreterConfig*, PyStatus> Py_NewInterpreterFromConfig;
    public static delegate* unmanaged<nint, void> Py_EndInterpreter;
    public static delegate* unmanaged<nint> PyInterpreterState_Get;
    public static delegate* unmanaged<nint, nint> PyThreadState_New;
    public static delegate* unmanaged<nint, void> PyThreadState_Clear;
    public static delegate* unmanaged<void> PyThreadState_DeleteCurrent;
    public static delegate* unmanaged<nuint, nint, int> PyThreadState_SetAsyncExc;

    private static void BindInterpreters(LibPython lib)
    {
        Py_NewInterpreterFromConfig = (delegate* unmanaged<nint*, PyInterpreterConfig*, PyStatus>)lib.OptionalExport(nameof(Py_NewInterpreterFromConfig));
        Py_EndInterpreter = (delegate* unmanaged<nint, void>)lib.Export(nameof(Py_EndInterpreter));
        PyInterpreterState_Get = (delegate* unmanaged<nint>)lib.Export(nameof(PyInterpreterState_Get));
        PyThreadState_New = (delegate* unmanaged<nint, nint>)lib.Export(nameof(PyThreadState_New));
        PyThreadState_Clear = (delegate* unmanaged<nint, void>)lib.Export(nameof(PyThreadState_Clear));
        PyThreadState_DeleteCurrent = (delegate* unmanaged<void>)lib.Export(nameof(PyThreadState_DeleteCurrent));
        PyThreadState_SetAsyncExc = (delegate* unmanaged<nuint, nint, int>)lib.Export(nameof(PyThreadState_SetAsyncExc));
    }

    /// <summary>A new sub-interpreter with its own GIL, current on the calling thread (which holds no thread
    /// state before); its thread state, or the reason CPython gave.</summary>
    public static nint NewIsolatedInterpreter()
    {
        var config = PyInterpreterConfig.Isolated;
        nint threadState = 0;
        var status = Py_NewInterpreterFromConfig(&threadState, &config);
        if (status.Type != 0 || threadState == 0)
            throw new InvalidOperationException("CPython could not create a sub-interpreter: "
                + (Marshal.PtrToStringUTF8(status.Message) ?? "no reason given"));
        return threadState;
    }
}

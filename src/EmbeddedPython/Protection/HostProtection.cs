using System.Runtime.InteropServices;
using EmbeddedPython.CPython;
using EmbeddedPython.Execution;

namespace EmbeddedPython.Protection;

/// <summary>
/// The .NET half of <c>embedded_python._protection</c>: user code cannot end the host process through Python
/// (<c>os._exit</c>, <c>os.abort</c>, signals aimed at the host; unless
/// <see cref="PythonExecutorOptions.AllowProcessExit"/>) nor take the interruption signal away. The guards
/// live in Python; this re-arms the signal after a request that touched it, and from a pending call when an
/// interruption does not get through (the handler replaced or the signal blocked by a way round the guards),
/// and answers the audit events of <c>os.kill</c>, <c>os.killpg</c> and <c>signal.pthread_kill</c>, which
/// catch those calls however the code reached them. One per interpreter (each has its own guards); the
/// signal and its re-arming exist only in the main interpreter, the only one signals reach.
/// </summary>
internal sealed unsafe class HostProtection
{
    private static HostProtection? s_main;

    private readonly nint _moduleDict;
    private readonly nint _touchedKey;
    private readonly nint _rearm;
    private readonly nint _checkSignalEvent;

    private HostProtection(nint module)
    {
        _moduleDict = Py.PyModule_GetDict(module); // the module lives as long as its interpreter
        _touchedKey = Py.Intern("touched");
        _rearm = Function(module, "rearm");
        _checkSignalEvent = Function(module, "check_signal_event");
    }

    /// <summary>Whether signals aimed at the host are refused (false with AllowProcessExit).</summary>
    public static bool GuardsSignals { get; private set; }

    /// <summary>On the interpreter thread, after <c>_runtime.install</c> installed the Python guards.</summary>
    public static HostProtection Load(bool allowProcessExit, bool isMain)
    {
        using var module = Py.Import("embedded_python._protection");
        if (module.IsNull)
            throw PythonErrors.Take("importing embedded_python._protection");
        var protection = new HostProtection(module.Handle);
        GuardsSignals = !allowProcessExit;
        if (isMain)
            s_main = protection;
        return protection;
    }

    private static nint Function(nint module, string name)
    {
        var function = Py.GetAttr(module, name);
        if (function.IsNull)
            throw PythonErrors.Take($"reading embedded_python._protection.{name}");
        return function.Release(); // kept for the life of the interpreter
    }

    /// <summary>Whether a request changed the signal's mask through the guards since the last re-arm (cheap: one dict read).</summary>
    public bool Touched => Py.PyDict_GetItemWithError(_moduleDict, _touchedKey) == Py.True;

    /// <summary>On the interpreter thread: puts the interruption handler back and unblocks the signal.</summary>
    public void Rearm()
    {
        using var args = PyObject.Steal(Py.PyTuple_New(0));
        using var result = PyObject.Steal(Py.PyObject_CallObject(_rearm, args.Handle));
        if (result.IsNull)
            throw PythonErrors.Take("embedded_python._protection.rearm");
    }

    private static readonly AutoResetEvent s_rearmWanted = new(false);
    private static Thread? s_rearmThread;
    private static volatile bool s_stopped;

    /// <summary>From any thread: has the main interpreter's thread re-arm at its next check, which code in a
    /// loop reaches even when the signal cannot get through.</summary>
    public static void RequestRearm()
    {
        if (s_main is null || s_stopped)
            return;
        if (s_rearmThread is null)
        {
            var thread = new Thread(QueueRearms) { IsBackground = true, Name = "EmbeddedPython re-arm" };
            if (Interlocked.CompareExchange(ref s_rearmThread, thread, null) is null)
                thread.Start();
        }
        s_rearmWanted.Set();
    }

    /// <summary>Before Python is finalised: no more pending calls.</summary>
    public static void Stop() => s_stopped = true;

    // Before 3.12 a pending call added by a thread without the GIL is noticed only when the interpreter
    // thread next takes the GIL back, so this thread takes it (briefly, after the switch interval) to add the
    // call. A thread of its own: taking the GIL waits as long as native code holds it. PyGILState and pending
    // calls both reach the main interpreter, the one this is for.
    private static void QueueRearms()
    {
        while (true)
        {
            s_rearmWanted.WaitOne();
            if (s_stopped)
                return;
            var gil = Py.PyGILState_Ensure();
            Py.Py_AddPendingCall(&RearmPending, 0); // a full queue (-1) is retried at the next request
            Py.PyGILState_Release(gil);
        }
    }

    [UnmanagedCallersOnly]
    private static int RearmPending(nint argument)
    {
        try
        {
            s_main!.Rearm();
        }
        catch (Exception)
        {
            Py.PyErr_Clear(); // re-arming is retried; the user's code must not see our failure
        }
        return 0;
    }

    /// <summary>"os.kill", "os.killpg" or "signal.pthread_kill" (compared as bytes: no decoding on the path
    /// every audit event takes).</summary>
    public static bool IsSignalEvent(ReadOnlySpan<byte> name) =>
        name.SequenceEqual("os.kill"u8) || name.SequenceEqual("os.killpg"u8) || name.SequenceEqual("signal.pthread_kill"u8);

    /// <summary>0, or -1 with PermissionError set when the signal is aimed at the host.</summary>
    public int CheckSignalEvent(string name, nint args)
    {
        using var eventName = PyObject.Steal(Py.FromString(name));
        using var callArgs = PyObject.Steal(Py.Tuple(eventName.Handle, args));
        using var result = PyObject.Steal(Py.PyObject_CallObject(_checkSignalEvent, callArgs.Handle));
        return result.IsNull ? -1 : 0;
    }
}

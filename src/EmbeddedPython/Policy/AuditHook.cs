using System.Runtime.InteropServices;
using EmbeddedPython.CPython;
using EmbeddedPython.Execution;
using EmbeddedPython.Protection;

namespace EmbeddedPython.Policy;

/// <summary>
/// The one PEP 578 audit hook, installed at start. CPython calls it for every audited operation on every
/// thread of every interpreter, so its common path is two reads: signal events aimed at the host go to
/// <see cref="HostProtection"/>, and when no request with a policy is running or open anywhere it returns.
/// Otherwise it finds the policy of the request whose code raised the event and raises
/// <c>PermissionError("&lt;event&gt; denied by policy: &lt;rule&gt;")</c> when a rule denies it.
/// </summary>
internal static unsafe class AuditHook
{
    private static int s_policyRequests;
    private static bool s_installed;

    /// <summary>On each interpreter's thread, after its runtime and protection modules are loaded: the hook
    /// itself is process-wide (CPython keeps C audit hooks for the runtime), installed by the first.</summary>
    public static void Install()
    {
        using var module = Py.Import("embedded_python._policy");
        using var folders = module.IsNull ? default : Py.GetAttr(module.Handle, "start");
        using var args = PyObject.Steal(Py.PyTuple_New(0));
        using var list = folders.IsNull ? default : PyObject.Steal(Py.PyObject_CallObject(folders.Handle, args.Handle));
        if (list.IsNull || !Marshalling.FromPython.TryConvert(list.Handle, out var paths) || paths is not List<object?> items)
            throw PythonErrors.Take("starting embedded_python._policy");
        PolicyRules.SetInterpreterFolders(items.OfType<string>());
        if (s_installed)
            return;
        if (Py.PySys_AddAuditHook(&OnEvent, 0) != 0)
            throw PythonErrors.Take("installing the audit hook");
        s_installed = true;
    }

    /// <summary>A request with a policy started running; until <see cref="PolicyEnded"/>, events are checked.</summary>
    public static void PolicyStarted() => Interlocked.Increment(ref s_policyRequests);

    public static void PolicyEnded() => Interlocked.Decrement(ref s_policyRequests);

    [UnmanagedCallersOnly]
    private static int OnEvent(byte* name, nint args, nint userData)
    {
        try
        {
            if (HostProtection.GuardsSignals && HostProtection.IsSignalEvent(MemoryMarshal.CreateReadOnlySpanFromNullTerminated(name)))
                return Interpreter.Running.Protection.CheckSignalEvent(Marshal.PtrToStringUTF8((nint)name)!, args);
            if (Volatile.Read(ref s_policyRequests) == 0)
                return 0;
            if (Interpreter.Running.CurrentPolicy() is not { } policy)
                return 0;
            var eventName = Marshal.PtrToStringUTF8((nint)name)!;
            if (PolicyRules.For(policy).Check(eventName, args) is not { } rule)
                return 0;
            Py.SetError(Py.PyExc_PermissionError, $"{eventName} denied by policy: {rule}");
            return -1;
        }
        catch (Exception e)
        {
            // Fail closed: an event the hook could not check does not happen.
            Py.SetError(Py.PyExc_RuntimeError, $"EmbeddedPython's audit hook failed on {Marshal.PtrToStringUTF8((nint)name)}: {e.Message}");
            return -1;
        }
    }
}

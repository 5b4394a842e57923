using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using EmbeddedPython.CPython;
using EmbeddedPython.Marshalling;
using EmbeddedPython.Memory;

namespace EmbeddedPython.Execution;

/// <summary>
/// Python functions implemented in .NET: the native half of <c>embedded_python</c> (module
/// <c>embedded_python._native</c>) and the callables made from <see cref="PythonCallback"/> preset values.
/// Each entry point is called by CPython holding the GIL and must never let a .NET exception escape.
/// </summary>
internal static unsafe class Callbacks
{
    private static readonly nint s_capsuleName = Py.PermanentUtf8("embedded_python.callback");
    private static nint s_callbackDef;

    /// <summary>Receives what the native functions report: the interpreter of the calling thread.</summary>
    private static IInterpreterHost Host => Interpreter.Running;

    /// <summary>Builds <c>embedded_python._native</c> for the interpreter of the calling thread (each has its
    /// own module object, made here rather than imported, so CPython's single-phase checks never apply) and
    /// puts it in its sys.modules.</summary>
    public static void InstallNativeModule()
    {
        using var module = PyObject.Steal(Py.PyModule_New(Py.PermanentUtf8("embedded_python._native")));
        Add(module.Handle, "send", &Send, "request_id", "kind", "value");
        Add(module.Handle, "interrupted", &Interrupted, "request_id");
        Add(module.Handle, "wake", &Wake);
        Add(module.Handle, "loop_touched", &LoopTouched);
        Add(module.Handle, "async_done", &AsyncDone, "request_id");
        Add(module.Handle, "is_open", &IsOpen, "request_id");
        Add(module.Handle, "log", &Log, "text");
        Add(module.Handle, "output", &Output, "request_id", "text");
        Add(module.Handle, "charge", &Charge, "request_id");
        Add(module.Handle, "budget_open", &BudgetOpen, "limit");
        Add(module.Handle, "budget_enter", &BudgetEnter, "budget");
        Add(module.Handle, "budget_used", &BudgetUsed, "budget");
        Add(module.Handle, "budget_close", &BudgetClose, "budget");
        Add(module.Handle, "stream_item", &StreamItem, "request_id", "item");
        Add(module.Handle, "sleep", &Sleep, "seconds", "request_id");
        using var name = PyObject.Steal(Py.FromString("embedded_python._native"));
        if (Py.PyDict_SetItem(Py.PyImport_GetModuleDict(), name.Handle, module.Handle) != 0)
            throw PythonErrors.Take("registering embedded_python._native");
        s_callbackDef = s_callbackDef != 0 ? s_callbackDef : MethodDef("callback", (nint)(delegate* unmanaged<nint, nint, nint, nint>)&InvokeCallback, Py.MethVarArgs | Py.MethKeywords);
    }

    /// <summary>A Python callable that runs <paramref name="function"/> (arguments bound by
    /// <see cref="Calls.DelegateSignature"/>); the GCHandle is freed with the callable.</summary>
    public static nint CreateFunction(Delegate function)
    {
        var handle = GCHandle.Alloc(function);
        var capsule = Py.PyCapsule_New(GCHandle.ToIntPtr(handle), s_capsuleName, (nint)(delegate* unmanaged<nint, void>)&FreeCallback);
        if (capsule == 0)
        {
            handle.Free();
            return 0;
        }
        using var self = PyObject.Steal(capsule);
        return Py.PyCFunction_NewEx(s_callbackDef, self.Handle, 0);
    }

    /// <summary>A native function; its <c>self</c> is the tuple of its parameter names, which
    /// <see cref="Bound"/> checks the arguments of every call against.</summary>
    private static void Add(nint module, string name, delegate* unmanaged<nint, nint, nint> function, params string[] parameters)
    {
        var texts = parameters.Prepend(name).Select(Py.FromString).ToArray();
        using var names = PyObject.Steal(Py.Tuple(texts)); // holds its own references
        foreach (var text in texts)
            Py.Py_DecRef(text);
        using var callable = PyObject.Steal(Py.PyCFunction_NewEx(MethodDef(name, (nint)function, Py.MethVarArgs), names.Handle, 0));
        var utf8 = Py.PermanentUtf8(name);
        if (callable.IsNull || Py.PyObject_SetAttrString(module, utf8, callable.Handle) != 0)
            throw PythonErrors.Take($"creating embedded_python._native.{name}");
    }

    /// <summary>A PyMethodDef in unmanaged memory that lives for the process, as CPython requires.</summary>
    private static nint MethodDef(string name, nint function, int flags)
    {
        var def = (nint*)NativeMemory.AllocZeroed((nuint)(4 * sizeof(nint)));
        def[0] = Py.PermanentUtf8(name);
        def[1] = function;
        def[2] = flags;
        def[3] = 0;
        return (nint)def;
    }

    /// <summary>Whether a native function got as many positional arguments as it has parameters (the names in
    /// <paramref name="self"/>, after the function's own); if not, sets the TypeError the delegates' binding
    /// (<see cref="Calls.DelegateSignature"/>) would.</summary>
    private static bool Bound(nint self, nint args)
    {
        var takes = (int)Py.PyTuple_Size(self) - 1;
        var given = (int)Py.PyTuple_Size(args);
        if (given == takes)
            return true;
        var error = given > takes
            ? Calls.DelegateSignature.TooMany(takes, given)
            : Calls.DelegateSignature.Missing(Py.AsString(Py.PyTuple_GetItem(self, given + 1)) ?? "?");
        Py.SetError(Py.PyExc_TypeError, $"{Py.AsString(Py.PyTuple_GetItem(self, 0))}(): {error.Message}");
        return false;
    }

    private static nint Argument(nint args, int index) => Py.PyTuple_GetItem(args, index);

    private static long LongArgument(nint args, int index)
    {
        int overflow;
        return Py.PyLong_AsLongLongAndOverflow(Argument(args, index), &overflow);
    }

    private static nint None() => Py.NewRef(Py.None);

    private static nint Fail(Exception e)
    {
        Py.SetError(e is ArgumentException or InvalidCastException ? Py.PyExc_ValueError : Py.PyExc_RuntimeError, e.Message);
        return 0;
    }

    /// <summary>send(request_id, kind, value): a streamed message, completion or failure.</summary>
    [UnmanagedCallersOnly]
    private static nint Send(nint self, nint args)
    {
        try
        {
            if (!Bound(self, args))
                return 0;
            var value = Argument(args, 2);
            if (!FromPython.TryConvert(value, out var converted))
                throw new ArgumentException($"a value of type {Py.Str(Py.TypeOf(value))} cannot be sent to .NET");
            Host.Send(LongArgument(args, 0), (SendKind)LongArgument(args, 1), converted);
            return Py.PyErr_Occurred() != 0 ? 0 : None();
        }
        catch (Exception e)
        {
            return Fail(e);
        }
    }

    [UnmanagedCallersOnly]
    private static nint Interrupted(nint self, nint args)
    {
        try { if (!Bound(self, args)) return 0; return Py.PyLong_FromLongLong((long)Host.InterruptReasonOf(LongArgument(args, 0))); }
        catch (Exception e) { return Fail(e); }
    }

    [UnmanagedCallersOnly]
    private static nint Wake(nint self, nint args)
    {
        try { if (!Bound(self, args)) return 0; Host.LoopTouched(wake: true); return None(); }
        catch (Exception e) { return Fail(e); }
    }

    [UnmanagedCallersOnly]
    private static nint LoopTouched(nint self, nint args)
    {
        try { if (!Bound(self, args)) return 0; Host.LoopTouched(wake: false); return None(); }
        catch (Exception e) { return Fail(e); }
    }

    [UnmanagedCallersOnly]
    private static nint AsyncDone(nint self, nint args)
    {
        try { if (!Bound(self, args)) return 0; Host.AsyncDone(LongArgument(args, 0)); return None(); }
        catch (Exception e) { return Fail(e); }
    }

    [UnmanagedCallersOnly]
    private static nint IsOpen(nint self, nint args)
    {
        try { if (!Bound(self, args)) return 0; return Py.NewRef(Host.IsOpen(LongArgument(args, 0)) ? Py.True : Py.False); }
        catch (Exception e) { return Fail(e); }
    }

    [UnmanagedCallersOnly]
    private static nint Log(nint self, nint args)
    {
        try { if (!Bound(self, args)) return 0; Host.LogOutput(Py.AsString(Argument(args, 0)) ?? ""); return None(); }
        catch (Exception e) { return Fail(e); }
    }

    [UnmanagedCallersOnly]
    private static nint Output(nint self, nint args)
    {
        try { if (!Bound(self, args)) return 0; Host.Output(LongArgument(args, 0), Py.AsString(Argument(args, 1)) ?? ""); return None(); }
        catch (Exception e) { return Fail(e); }
    }

    /// <summary>charge(request_id): the loop's callback of a request with a memory limit starts (0: ends).</summary>
    [UnmanagedCallersOnly]
    private static nint Charge(nint self, nint args)
    {
        try { if (!Bound(self, args)) return 0; Host.ChargeMemory(LongArgument(args, 0)); return None(); }
        catch (Exception e) { return Fail(e); }
    }

    /// <summary>budget_open(limit) -> id: a memory account for threads (embedded_python.MemoryBudget).</summary>
    [UnmanagedCallersOnly]
    private static nint BudgetOpen(nint self, nint args)
    {
        try
        {
            if (!Bound(self, args))
                return 0;
            var limit = LongArgument(args, 0);
            if (Py.PyErr_Occurred() != 0)
                return 0;
            if (limit <= 0)
                throw new ArgumentException($"a memory budget must be a positive number of bytes, not {limit}");
            return Py.PyLong_FromLongLong(MemoryAccount.Open(limit).Id);
        }
        catch (Exception e) { return Fail(e); }
    }

    /// <summary>budget_enter(id): the calling thread's allocations count against the budget (0: against none).</summary>
    [UnmanagedCallersOnly]
    private static nint BudgetEnter(nint self, nint args)
    {
        try
        {
            if (!Bound(self, args))
                return 0;
            if (Host.IsOwnThread)
                throw new InvalidOperationException("the interpreter thread's memory is charged by the host (set MemoryLimit on the request); budgets are for other threads");
            var id = LongArgument(args, 0);
            AllocatorHook.Charge(id == 0 ? null : FindBudget(id));
            return None();
        }
        catch (Exception e) { return Fail(e); }
    }

    /// <summary>budget_used(id) -> (bytes charged, whether an allocation was refused).</summary>
    [UnmanagedCallersOnly]
    private static nint BudgetUsed(nint self, nint args)
    {
        try
        {
            if (!Bound(self, args))
                return 0;
            var budget = FindBudget(LongArgument(args, 0));
            return ToPython.Convert(new object[] { budget.Used, budget.WentOverLimit }, "budget_used").Release();
        }
        catch (Exception e) { return Fail(e); }
    }

    [UnmanagedCallersOnly]
    private static nint BudgetClose(nint self, nint args)
    {
        try { if (!Bound(self, args)) return 0; MemoryAccount.Find(LongArgument(args, 0))?.Release(); return None(); }
        catch (Exception e) { return Fail(e); }
    }

    private static MemoryAccount FindBudget(long id) =>
        MemoryAccount.Find(id) ?? throw new ArgumentException($"memory budget {id} is closed");

    /// <summary>stream_item(request_id, item): True while the streamed call's reader takes items.</summary>
    [UnmanagedCallersOnly]
    private static nint StreamItem(nint self, nint args)
    {
        try { if (!Bound(self, args)) return 0; return Py.NewRef(Host.StreamItem(LongArgument(args, 0), Argument(args, 1)) ? Py.True : Py.False); }
        catch (Exception e) { return Fail(e); }
    }

    /// <summary>sleep(seconds, request_id): <c>time.sleep</c> of a sub-interpreter, cut short when the request is interrupted.</summary>
    [UnmanagedCallersOnly]
    private static nint Sleep(nint self, nint args)
    {
        try
        {
            if (!Bound(self, args))
                return 0;
            var seconds = Py.PyFloat_AsDouble(Argument(args, 0));
            var requestId = LongArgument(args, 1);
            if (Py.PyErr_Occurred() != 0)
                return 0;
            return Host.Sleep(seconds, requestId) ? None() : 0;
        }
        catch (Exception e) { return Fail(e); }
    }

    /// <summary>A delegate called from Python: a binding error is a TypeError, what the delegate throws a RuntimeError.</summary>
    [UnmanagedCallersOnly]
    private static nint InvokeCallback(nint self, nint args, nint kwargs)
    {
        object?[] arguments;
        Delegate function;
        Calls.DelegateSignature signature;
        try
        {
            function = (Delegate)GCHandle.FromIntPtr(Py.PyCapsule_GetPointer(self, s_capsuleName)).Target!;
            signature = Calls.DelegateSignature.Of(function);
            arguments = signature.Bind(args, kwargs);
        }
        catch (Exception e)
        {
            Py.SetError(Py.PyExc_TypeError, $"{DescribeTarget(self)}: {e.Message}");
            return 0;
        }
        try
        {
            // A Task for a coroutine caller becomes an awaitable on the interpreter's loop, so the thread serves
            // other work while it runs (an async .NET function is an async function in Python).
            var awaited = signature.ReturnsTask && Host.InCoroutine();
            // The .NET side may block (a socket send, a wait for the next message, a Task): without the GIL, so
            // that Python threads go on meanwhile.
            var threadState = Py.PyEval_SaveThread();
            object? result;
            try
            {
                result = awaited ? signature.Start(function, arguments) : signature.Invoke(function, arguments);
            }
            finally
            {
                Py.PyEval_RestoreThread(threadState);
            }
            if (awaited && result is Task task)
                return Host.AwaitTask(task, signature);
            return ToPython.Convert(result, "the callback's result").Release();
        }
        catch (Exception e)
        {
            Py.SetError(Py.PyExc_RuntimeError, e.Message);
            return 0;
        }
    }

    private static string DescribeTarget(nint self)
    {
        var pointer = Py.PyCapsule_GetPointer(self, s_capsuleName);
        return pointer == 0 ? "callback" : $"callback {((Delegate)GCHandle.FromIntPtr(pointer).Target!).Method.Name}()";
    }

    [UnmanagedCallersOnly]
    private static void FreeCallback(nint capsule)
    {
        var pointer = Py.PyCapsule_GetPointer(capsule, s_capsuleName);
        if (pointer != 0)
            GCHandle.FromIntPtr(pointer).Free();
        else
            Py.PyErr_Clear();
    }
}

/// <summary>What the native functions tell the interpreter (implemented by <see cref="Interpreter"/>).</summary>
internal interface IInterpreterHost
{
    void Send(long requestId, SendKind kind, object? value);
    InterruptReason InterruptReasonOf(long requestId);
    void LoopTouched(bool wake);
    void AsyncDone(long requestId);
    bool IsOpen(long requestId);
    void LogOutput(string text);
    void Output(long requestId, string text);
    void ChargeMemory(long requestId);
    bool StreamItem(long requestId, nint item);
    bool InCoroutine();
    nint AwaitTask(Task task, Calls.DelegateSignature signature);
    bool IsOwnThread { get; }
    /// <summary>Waits without the GIL; false with the exception set when the request was interrupted meanwhile.</summary>
    bool Sleep(double seconds, long requestId);
}

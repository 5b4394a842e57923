using EmbeddedPython.CPython;

namespace EmbeddedPython.Execution;

/// <summary>
/// The objects of <c>embedded_python._runtime</c> (and of its <c>compat</c>, which says which globals the host
/// injects into every request) and of CPython that the hot path uses, looked up once on the interpreter thread
/// after start-up and kept for the life of the interpreter (each interpreter has its own).
/// </summary>
internal sealed unsafe class PythonRuntime
{
    /// <summary>The runtime of the calling thread's interpreter (each interpreter loads its own).</summary>
    public static PythonRuntime Current => Interpreter.Running.Runtime;

    private readonly PyObject _module;
    private readonly Dictionary<string, nint> _functions = new();
    private readonly Dictionary<string, nint> _moduleNames = new();

    private PythonRuntime(PyObject module) => _module = module;

    // Values (DESIGN §4) that have no C API of their own. Their modules cost several milliseconds to
    // import, so start-up does not: building such a value imports its module (these properties), and an
    // isinstance test takes the type only once its module is imported (IfImported), when such a value can exist.
    public nint DateTimeType => Attribute("datetime_type");
    public nint DateType => Attribute("date_type");
    public nint DecimalType => Attribute("decimal_type");
    public nint UuidType => Attribute("uuid_type");

    public nint DateTimeTypeIfImported => IfImported("datetime_type", "datetime", "_datetime");
    public nint DateTypeIfImported => IfImported("date_type", "datetime", "_datetime");
    public nint DecimalTypeIfImported => IfImported("decimal_type", "decimal", "_decimal");
    public nint UuidTypeIfImported => IfImported("uuid_type", "uuid", "uuid");
    public nint DateTimeParts { get; private set; }
    public nint MakeDateTime { get; private set; }
    public nint MakeUuid { get; private set; }

    // What a call's result is compared with: awaited, or streamed by a task.
    public nint CoroutineType { get; private set; }
    public nint AsyncGeneratorType { get; private set; }

    /// <summary>The dict every request's globals start as a copy of.</summary>
    public nint GlobalsTemplate { get; private set; }
    /// <summary>Names of the globals set to the request's id (interned strings).</summary>
    public nint[] RequestIdGlobals { get; private set; } = [];
    /// <summary>The frozenset of injected globals that never come back as values.</summary>
    public nint HiddenGlobals { get; private set; }
    public nint CurrentId { get; private set; }
    public nint Outputs { get; private set; }
    /// <summary>The set of ids of open requests with a memory limit (their loop callbacks are charged to them).</summary>
    public nint LimitedRequests { get; private set; }
    public nint ModuleDict { get; private set; }
    public nint SysDict { get; private set; }
    public nint BuiltinsDict { get; private set; }
    public nint Stdout { get; private set; }
    public nint Stderr { get; private set; }
    public nint BuiltinsSize { get; private set; }

    // Interned names of the hot path (interned strings belong to an interpreter from 3.13).
    public nint FileKey { get; private set; }
    public nint StdoutKey { get; private set; }
    public nint StderrKey { get; private set; }
    public nint CwdChangedKey { get; private set; }

    /// <summary>Imports the runtime module (its native half must already be in sys.modules) and caches what the hot path needs.</summary>
    public static PythonRuntime Load()
    {
        var module = Py.Import("embedded_python._runtime");
        if (module.IsNull)
            throw PythonErrors.Take("importing embedded_python._runtime");
        var runtime = new PythonRuntime(module);
        runtime.ModuleDict = Py.PyModule_GetDict(module.Handle);
        runtime.DateTimeParts = runtime.Attribute("datetime_parts");
        runtime.MakeDateTime = runtime.Attribute("make_datetime");
        runtime.MakeUuid = runtime.Attribute("make_uuid");
        runtime.CoroutineType = runtime.Attribute("coroutine_type");
        runtime.AsyncGeneratorType = runtime.Attribute("async_generator_type");
        runtime.CurrentId = runtime.Attribute("current_id");
        runtime.Outputs = runtime.Attribute("_outputs");
        runtime.LimitedRequests = runtime.Attribute("limited_requests");
        runtime.Stdout = runtime.Attribute("stdout");
        runtime.Stderr = runtime.Attribute("stderr");

        runtime.FileKey = Py.Intern("__file__");
        runtime.StdoutKey = Py.Intern("stdout");
        runtime.StderrKey = Py.Intern("stderr");
        runtime.CwdChangedKey = Py.Intern("cwd_changed");

        using var sys = Py.Import("sys");
        runtime.SysDict = Py.PyModule_GetDict(sys.Handle); // borrowed: sys lives as long as Python
        using var builtins = Py.Import("builtins");
        runtime.BuiltinsDict = Py.PyModule_GetDict(builtins.Handle);
        runtime.BuiltinsSize = Py.PyDict_Size(runtime.BuiltinsDict);

        using var compat = Py.GetAttr(module.Handle, "compat");
        if (compat.IsNull)
            throw PythonErrors.Take("reading embedded_python.compat");
        using var template = Call(compat.Handle, "globals_template");
        runtime.GlobalsTemplate = template.Release(); // kept for the life of the process
        using var hidden = Py.GetAttr(compat.Handle, "HIDDEN_GLOBALS");
        using var idNames = Py.GetAttr(compat.Handle, "REQUEST_ID_GLOBALS");
        if (hidden.IsNull || idNames.IsNull)
            throw PythonErrors.Take("reading the injected globals of embedded_python.compat");
        runtime.HiddenGlobals = Py.NewRef(hidden.Handle);
        // A loop, not Range().Select(): LINQ over value types is JIT-compiled at start-up, for one or two names.
        var ids = new nint[Py.PyTuple_Size(idNames.Handle)];
        for (var i = 0; i < ids.Length; i++)
            ids[i] = Py.Intern(Py.AsString(Py.PyTuple_GetItem(idNames.Handle, i)) ?? "");
        runtime.RequestIdGlobals = ids;
        return runtime;
    }

    /// <summary>A module attribute, kept alive by the module for the life of the process.</summary>
    public nint Attribute(string name)
    {
        if (_functions.TryGetValue(name, out var cached))
            return cached;
        using var value = Py.GetAttr(_module.Handle, name);
        if (value.IsNull)
            throw PythonErrors.Take($"reading embedded_python._runtime.{name}");
        return _functions[name] = value.Handle; // borrowed from the module, which never goes away
    }

    /// <summary>The type named by a runtime attribute, or 0 while neither of the modules that define it is in sys.modules.</summary>
    private nint IfImported(string attribute, string module, string cModule)
    {
        if (_functions.TryGetValue(attribute, out var cached))
            return cached;
        return IsImported(module) || IsImported(cModule) ? Attribute(attribute) : 0;
    }

    private bool IsImported(string module)
    {
        if (!_moduleNames.TryGetValue(module, out var name))
            _moduleNames[module] = name = Py.Intern(module); // kept: asked again for every such test until imported
        if (Py.PyDict_GetItemWithError(Py.PyImport_GetModuleDict(), name) != 0)
            return true;
        if (Py.PyErr_Occurred() != 0)
            Py.PyErr_Clear(); // a key of sys.modules whose comparison raised: not the module
        return false;
    }

    /// <summary>Calls a runtime function; a new reference, or throws <see cref="PythonException"/>.</summary>
    public PyObject Call(string function, params ReadOnlySpan<nint> arguments)
    {
        using var args = PyObject.Steal(Py.Tuple(arguments));
        var result = PyObject.Steal(Py.PyObject_CallObject(Attribute(function), args.Handle));
        if (result.IsNull)
            throw PythonErrors.Take($"embedded_python._runtime.{function}");
        return result;
    }

    private static PyObject Call(nint module, string function)
    {
        using var callable = Py.GetAttr(module, function);
        var result = callable.IsNull ? default : PyObject.Steal(Py.PyObject_CallObject(callable.Handle, 0));
        if (result.IsNull)
            throw PythonErrors.Take($"calling {function} of embedded_python.compat");
        return result;
    }

    /// <summary>isinstance; false for type 0 (a type whose module is not imported).</summary>
    public static bool IsInstance(nint obj, nint type)
    {
        if (type == 0)
            return false;
        var result = Py.PyObject_IsInstance(obj, type);
        if (result < 0)
            Py.PyErr_Clear();
        return result > 0;
    }
}

using EmbeddedPython.CPython;

namespace EmbeddedPython.Execution;

/// <summary>
/// The objects of <c>embedded_python._runtime</c> and of CPython that the hot path uses, looked up once on
/// the interpreter thread after start-up and kept for the life of the process (CPython is process-wide).
/// </summary>
internal sealed unsafe class PythonRuntime
{
    public static PythonRuntime Current { get; private set; } = null!;

    private readonly PyObject _module;
    private readonly Dictionary<string, nint> _functions = new();

    private PythonRuntime(PyObject module) => _module = module;

    // Values (DESIGN §4) that have no C API of their own.
    public nint DateTimeType { get; private set; }
    public nint DateType { get; private set; }
    public nint DecimalType { get; private set; }
    public nint UuidType { get; private set; }
    public nint DateTimeParts { get; private set; }
    public nint MakeDateTime { get; private set; }
    public nint MakeUuid { get; private set; }

    // What a call's result is compared with: awaited, or streamed by a task.
    public nint CoroutineType { get; private set; }
    public nint AsyncGeneratorType { get; private set; }

    /// <summary>The dict every request's globals start as a copy of.</summary>
    public nint GlobalsTemplate { get; private set; }
    public nint CurrentId { get; private set; }
    public nint Outputs { get; private set; }
    public nint ModuleDict { get; private set; }
    public nint SysDict { get; private set; }
    public nint BuiltinsDict { get; private set; }
    public nint Stdout { get; private set; }
    public nint Stderr { get; private set; }
    public nint BuiltinsSize { get; private set; }

    public static class Keys
    {
        public static nint Name, Builtins, File, ConnectorContext, ConnectorConnection, Stdout, Stderr, CwdChanged;
    }

    /// <summary>Imports the runtime module (its native half must already be in sys.modules) and caches what the hot path needs.</summary>
    public static PythonRuntime Load()
    {
        var module = Py.Import("embedded_python._runtime");
        if (module.IsNull)
            throw PythonErrors.Take("importing embedded_python._runtime");
        var runtime = new PythonRuntime(module);
        Current = runtime;
        runtime.ModuleDict = Py.PyModule_GetDict(module.Handle);
        runtime.DateTimeType = runtime.Attribute("datetime_type");
        runtime.DateType = runtime.Attribute("date_type");
        runtime.DecimalType = runtime.Attribute("decimal_type");
        runtime.UuidType = runtime.Attribute("uuid_type");
        runtime.DateTimeParts = runtime.Attribute("datetime_parts");
        runtime.MakeDateTime = runtime.Attribute("make_datetime");
        runtime.MakeUuid = runtime.Attribute("make_uuid");
        runtime.CoroutineType = runtime.Attribute("coroutine_type");
        runtime.AsyncGeneratorType = runtime.Attribute("async_generator_type");
        runtime.CurrentId = runtime.Attribute("current_id");
        runtime.Outputs = runtime.Attribute("_outputs");
        runtime.Stdout = runtime.Attribute("stdout");
        runtime.Stderr = runtime.Attribute("stderr");

        Keys.Name = Py.Intern("__name__");
        Keys.Builtins = Py.Intern("__builtins__");
        Keys.File = Py.Intern("__file__");
        Keys.ConnectorContext = Py.Intern("connector_context");
        Keys.ConnectorConnection = Py.Intern("connector_connection");
        Keys.Stdout = Py.Intern("stdout");
        Keys.Stderr = Py.Intern("stderr");
        Keys.CwdChanged = Py.Intern("cwd_changed");

        using var sys = Py.Import("sys");
        runtime.SysDict = Py.PyModule_GetDict(sys.Handle); // borrowed: sys lives as long as Python
        using var builtins = Py.Import("builtins");
        runtime.BuiltinsDict = Py.PyModule_GetDict(builtins.Handle);
        runtime.BuiltinsSize = Py.PyDict_Size(runtime.BuiltinsDict);

        var template = Py.PyDict_New();
        using (var main = PyObject.Steal(Py.FromString("__main__")))
            Py.PyDict_SetItem(template, Keys.Name, main.Handle);
        Py.PyDict_SetItem(template, Keys.Builtins, builtins.Handle);
        Py.PyDict_SetItem(template, Keys.ConnectorConnection, runtime.Attribute("connection"));
        runtime.GlobalsTemplate = template;
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

    /// <summary>Calls a runtime function; a new reference, or throws <see cref="PythonException"/>.</summary>
    public PyObject Call(string function, params ReadOnlySpan<nint> arguments)
    {
        using var args = PyObject.Steal(Py.Tuple(arguments));
        var result = PyObject.Steal(Py.PyObject_CallObject(Attribute(function), args.Handle));
        if (result.IsNull)
            throw PythonErrors.Take($"embedded_python._runtime.{function}");
        return result;
    }

    public static bool IsInstance(nint obj, nint type)
    {
        var result = Py.PyObject_IsInstance(obj, type);
        if (result < 0)
            Py.PyErr_Clear();
        return result > 0;
    }
}

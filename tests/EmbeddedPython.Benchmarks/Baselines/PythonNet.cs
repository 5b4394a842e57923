using System.Numerics;
using EmbeddedPython.Benchmarks.Setup;
using Python.Runtime;

namespace EmbeddedPython.Benchmarks.Baselines;

/// <summary>
/// Python.NET 3.2.1, the in-process baseline, used as its users write it: <c>Runtime.PythonDLL</c> set,
/// <c>PythonEngine.Initialize()</c>, then <c>using (Py.GIL())</c> around a scope's set / execute / get on the
/// caller's own thread. It loads the libpython the other baselines run (<see cref="PythonCommand.Library"/>).
/// CPython is one per process, so a benchmark process runs either Python.NET or an executor
/// (<see cref="Workloads.ClaimPython"/>), never both: their benchmarks have their own <c>[GlobalSetup]</c>.
/// </summary>
internal static class PythonNet
{
    /// <summary>What start-up costs a Python.NET user who knows the library: the path given, then Initialize.</summary>
    public static void Initialize()
    {
        Workloads.ClaimPython("Python.NET");
        Runtime.PythonDLL = PythonCommand.Library;
        PythonEngine.Initialize();
    }

    /// <summary>Initialises, puts the suite's Python folder on sys.path, checks the libpython mapped into the
    /// process, and releases the GIL so that any thread may take it.</summary>
    public static void Start()
    {
        Initialize();
        using (Py.GIL())
        {
            using var sys = Py.Import("sys");
            using var path = sys.GetAttr("path");
            using var folder = new PyString(Workloads.PythonFolder);
            path.InvokeMethod("insert", new PyInt(0), folder).Dispose();
            using var identity = Py.Import("bench_identity");
            using var loaded = identity.InvokeMethod("loaded_libpython");
            Workloads.ExpectBaselineLibrary(loaded.As<string>(), "Python.NET");
        }
        PythonEngine.BeginAllowThreads();
    }

    /// <summary>Code compiled once, as a Python.NET user caches it (the executor caches by name).</summary>
    public static PyObject Compile(string code)
    {
        using (Py.GIL())
            return PythonEngine.Compile(code, "<benchmark>", RunFlagType.File);
    }

    /// <summary>One scope (module namespace) whose globals carry over between runs.</summary>
    public static PyModule Scope()
    {
        using (Py.GIL())
            return Py.CreateScope();
    }

    /// <summary>Scenario 1's request: x set, the cached code run, y read; the GIL taken for it.</summary>
    public static long Double(PyModule scope, PyObject code)
    {
        using (Py.GIL())
        {
            scope.Set("x", 21L);
            scope.Execute(code).Dispose();
            return scope.Get<long>("y");
        }
    }

    /// <summary>A Python value as the executor hands it over (DESIGN §4 types: long or BigInteger, double,
    /// string, bool, null, byte[], List, Dictionary), converted by hand: Python.NET has no such deep conversion.
    /// Call with the GIL held.</summary>
    public static object? ToDotNet(PyObject value)
    {
        if (PyInt.IsIntType(value))
        {
            if (value.IsInstance(Types.Bool))
                return value.As<bool>();
            using var bits = value.InvokeMethod("bit_length");
            if (bits.As<int>() < 64)
                return value.As<long>();
            using var big = new PyInt(value);
            return big.ToBigInteger();
        }
        if (PyFloat.IsFloatType(value))
            return value.As<double>();
        if (PyString.IsStringType(value))
            return value.As<string>();
        if (value.IsInstance(Types.Bytes))
            return ReadBytes(value);
        if (PyDict.IsDictType(value))
        {
            var dict = new Dictionary<string, object?>();
            using var items = new PyDict(value);
            foreach (var key in items.Keys())
            {
                using (key)
                using (var item = items[key])
                    dict[key.As<string>()] = ToDotNet(item);
            }
            return dict;
        }
        if (PyList.IsListType(value) || PyTuple.IsTupleType(value))
        {
            var list = new List<object?>((int)value.Length());
            using var iterator = value.GetIterator();
            while (iterator.MoveNext())
            {
                using var item = iterator.Current;
                list.Add(ToDotNet(item));
            }
            return list;
        }
        if (value.IsNone())
            return null;
        using var type = value.GetPythonType();
        throw new InvalidOperationException($"No .NET form for a Python {type}.");
    }

    /// <summary>bytes → byte[] through the buffer protocol (one copy).</summary>
    private static byte[] ReadBytes(PyObject bytes)
    {
        using var buffer = bytes.GetBuffer(PyBUF.SIMPLE);
        var data = new byte[buffer.Length];
        buffer.Read(data, 0, data.Length, 0);
        return data;
    }

    /// <summary>.NET → Python objects of the same kinds, as scenario 5 sends them (a byte[] as a bytearray
    /// filled through its buffer: Python.NET has no public bytes constructor). Call with the GIL held.</summary>
    public static PyObject ToPython(object value)
    {
        switch (value)
        {
            case byte[] data:
            {
                using var size = new PyInt(data.Length);
                var array = Types.ByteArray.Invoke(size);
                using (var buffer = array.GetBuffer(PyBUF.WRITABLE))
                    buffer.Write(data, 0, data.Length, 0);
                return array;
            }
            case List<long> numbers:
            {
                var list = new PyList();
                foreach (var n in numbers)
                {
                    using var item = new PyInt(n);
                    list.Append(item);
                }
                return list;
            }
            case Dictionary<string, object?> pairs:
            {
                var dict = new PyDict();
                foreach (var (key, n) in pairs)
                {
                    using var item = new PyInt((long)n!);
                    dict[key] = item;
                }
                return dict;
            }
            default:
                throw new ArgumentException($"No Python form here for {value.GetType()}.");
        }
    }

    /// <summary>The builtin types the conversion compares with, looked up once.</summary>
    private static class Types
    {
        private static readonly PyObject s_builtins = Py.Import("builtins");
        public static readonly PyObject Bool = s_builtins.GetAttr("bool");
        public static readonly PyObject Bytes = s_builtins.GetAttr("bytes");
        public static readonly PyObject ByteArray = s_builtins.GetAttr("bytearray");
    }
}

using System.Globalization;
using System.Numerics;
using EmbeddedPython.CPython;
using EmbeddedPython.Execution;

namespace EmbeddedPython.Marshalling;

/// <summary>
/// Python objects to plain .NET values (DESIGN §4), comparing type pointers read once at start-up. A value
/// that does not convert (module, function, class, arbitrary object, a container holding one, a cycle)
/// yields false and leaves no Python error behind. Must be called holding the GIL.
/// </summary>
internal static unsafe class FromPython
{
    private const int MaxDepth = 512;

    [ThreadStatic] private static HashSet<nint>? t_path;

    public static bool TryConvert(nint obj, out object? value) => TryConvert(obj, 0, out value);

    private static bool TryConvert(nint obj, int depth, out object? value)
    {
        var type = Py.TypeOf(obj);
        if (obj == Py.None) { value = null; return true; }
        if (type == Py.BoolType) { value = obj == Py.True; return true; }
        if (type == Py.LongType) { value = ReadLong(obj); return true; }
        if (type == Py.FloatType) { value = Py.PyFloat_AsDouble(obj); return true; }
        if (type == Py.UnicodeType) return (value = Py.AsString(obj)) is not null;
        if (type == Py.BytesType) { value = ReadBytes(obj); return true; }
        if (type == Py.ByteArrayType) { value = new ReadOnlySpan<byte>(Py.PyByteArray_AsString(obj), (int)Py.PyByteArray_Size(obj)).ToArray(); return true; }
        if (type == Py.ListType || type == Py.TupleType || type == Py.DictType || type == Py.SetType || type == Py.FrozenSetType)
            return TryContainer(obj, type, depth, out value);
        return TryOther(obj, type, depth, out value);
    }

    private static bool TryContainer(nint obj, nint kind, int depth, out object? value)
    {
        value = null;
        if (depth >= MaxDepth)
            return false;
        var path = t_path ??= [];
        if (!path.Add(obj))
            return false; // a cycle
        try
        {
            if (kind == Py.DictType)
                return TryDict(obj, depth, out value);
            if (kind == Py.ListType || kind == Py.TupleType)
            {
                var isList = kind == Py.ListType;
                var count = isList ? Py.PyList_Size(obj) : Py.PyTuple_Size(obj);
                var list = new List<object?>((int)count);
                for (nint i = 0; i < count; i++)
                {
                    // Re-read the size: a list cannot change under us (we hold the GIL and run no Python), but be exact.
                    var item = isList ? Py.PyList_GetItem(obj, i) : Py.PyTuple_GetItem(obj, i);
                    if (!TryConvert(item, depth + 1, out var converted))
                        return false;
                    list.Add(converted);
                }
                value = list;
                return true;
            }
            return TryIterable(obj, depth, out value);
        }
        finally
        {
            path.Remove(obj);
        }
    }

    private static bool TryDict(nint dict, int depth, out object? value)
    {
        value = null;
        var result = new Dictionary<string, object?>((int)Py.PyDict_Size(dict));
        nint position = 0, key, item;
        while (Py.PyDict_Next(dict, &position, &key, &item) != 0)
        {
            var name = KeyText(key);
            if (name is null || !TryConvert(item, depth + 1, out var converted))
                return false;
            result[name] = converted;
        }
        value = result;
        return true;
    }

    /// <summary>str keys as they are; int, float and bool keys as their JSON text; None as "null".</summary>
    private static string? KeyText(nint key)
    {
        var type = Py.TypeOf(key);
        if (type == Py.UnicodeType) return Py.AsString(key);
        if (key == Py.None) return "null";
        if (type == Py.BoolType) return key == Py.True ? "true" : "false";
        if (type == Py.LongType) return System.Convert.ToString(ReadLong(key), CultureInfo.InvariantCulture);
        if (type == Py.FloatType) return Py.PyFloat_AsDouble(key).ToString("R", CultureInfo.InvariantCulture);
        return null;
    }

    private static bool TryIterable(nint obj, int depth, out object? value)
    {
        value = null;
        using var iterator = PyObject.Steal(Py.PyObject_GetIter(obj));
        if (iterator.IsNull)
        {
            Py.PyErr_Clear();
            return false;
        }
        var list = new List<object?>();
        while (true)
        {
            using var item = PyObject.Steal(Py.PyIter_Next(iterator.Handle));
            if (item.IsNull)
                break;
            if (!TryConvert(item.Handle, depth + 1, out var converted))
                return false;
            list.Add(converted);
        }
        if (Py.PyErr_Occurred() != 0)
        {
            Py.PyErr_Clear();
            return false;
        }
        value = list;
        return true;
    }

    /// <summary>Subclasses of the builtin types, and the standard-library values of DESIGN §4.</summary>
    private static bool TryOther(nint obj, nint type, int depth, out object? value)
    {
        value = null;
        var runtime = PythonRuntime.Current;
        var flags = Py.PyType_GetFlags(type);
        if ((flags & Py.LongSubclass) != 0) { value = ReadLong(obj); return true; }
        if ((flags & Py.UnicodeSubclass) != 0) return (value = Py.AsString(obj)) is not null;
        if ((flags & Py.BytesSubclass) != 0) { value = ReadBytes(obj); return true; }
        if ((flags & Py.DictSubclass) != 0) return TryContainer(obj, Py.DictType, depth, out value);
        if ((flags & (Py.ListSubclass | Py.TupleSubclass)) != 0) return TryContainer(obj, Py.SetType, depth, out value);
        if (PythonRuntime.IsInstance(obj, runtime.DateTimeTypeIfImported)) return TryDateTime(obj, out value);
        if (PythonRuntime.IsInstance(obj, runtime.DateTypeIfImported)) return TryDate(obj, out value);
        if (PythonRuntime.IsInstance(obj, runtime.DecimalTypeIfImported)) return decimal.TryParse(Py.Str(obj), NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && (value = d) is not null;
        if (PythonRuntime.IsInstance(obj, runtime.UuidTypeIfImported)) return TryUuid(obj, out value);
        if (PythonRuntime.IsInstance(obj, Py.SetType) || PythonRuntime.IsInstance(obj, Py.FrozenSetType)) return TryContainer(obj, Py.SetType, depth, out value);
        return false;
    }

    private static object ReadLong(nint obj)
    {
        int overflow;
        var value = Py.PyLong_AsLongLongAndOverflow(obj, &overflow);
        if (overflow == 0)
            return value;
        // Beyond 64 bits: hexadecimal text has no digit limit (str() of a huge int has one since 3.11).
        using var hex = PyObject.Steal(Py.PyNumber_ToBase(obj, 16));
        var text = Py.AsString(hex.Handle)!;
        var negative = text[0] == '-';
        var digits = text[(negative ? 3 : 2)..];
        var magnitude = BigInteger.Parse("0" + digits, NumberStyles.HexNumber, CultureInfo.InvariantCulture);
        return negative ? -magnitude : magnitude;
    }

    private static byte[] ReadBytes(nint obj)
    {
        byte* data;
        nint size;
        Py.PyBytes_AsStringAndSize(obj, &data, &size);
        return new ReadOnlySpan<byte>(data, (int)size).ToArray();
    }

    private static bool TryDateTime(nint obj, out object? value)
    {
        value = null;
        using var args = PyObject.Steal(Py.Tuple(obj));
        using var parts = PyObject.Steal(Py.PyObject_CallObject(PythonRuntime.Current.DateTimeParts, args.Handle));
        if (parts.IsNull)
        {
            Py.PyErr_Clear();
            return false;
        }
        long Part(int i) => (long)ReadLong(Py.PyTuple_GetItem(parts.Handle, i));
        var local = new DateTime((int)Part(0), (int)Part(1), (int)Part(2), (int)Part(3), (int)Part(4), (int)Part(5))
            .AddTicks(Part(6) * 10);
        var offset = Py.PyTuple_GetItem(parts.Handle, 7);
        value = offset == Py.None ? (object)local : new DateTimeOffset(local, TimeSpan.FromTicks((long)ReadLong(offset) * 10));
        return true;
    }

    private static bool TryDate(nint obj, out object? value)
    {
        int Part(string name)
        {
            using var part = Py.GetAttr(obj, name);
            return (int)(long)ReadLong(part.Handle);
        }
        value = new DateOnly(Part("year"), Part("month"), Part("day"));
        return true;
    }

    private static bool TryUuid(nint obj, out object? value)
    {
        using var bytes = Py.GetAttr(obj, "bytes");
        value = bytes.IsNull ? null : new Guid(ReadBytes(bytes.Handle), bigEndian: true);
        if (bytes.IsNull)
            Py.PyErr_Clear();
        return value is not null;
    }
}

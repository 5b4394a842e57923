using System.Numerics;
using EmbeddedPython.CPython;

namespace EmbeddedPython.Marshalling.Typed;

/// <summary>A live Python object as a typed converter reads it: borrowed, or owned when <see cref="Dispose"/> must
/// release it. Must be used holding the GIL.</summary>
internal readonly unsafe struct PythonValue : IValueSource<PythonValue>
{
    private readonly nint _obj;
    private readonly bool _owned;

    private PythonValue(nint obj, bool owned)
    {
        _obj = obj;
        _owned = owned;
    }

    public static PythonValue Borrowed(nint obj) => new(obj, owned: false);

    public nint Handle => _obj;

    public void Dispose()
    {
        if (_owned)
            Py.Py_DecRef(_obj);
    }

    public string TypeName => _obj == Py.None ? "None" : Py.TypeName(_obj);

    public bool IsNone => _obj == Py.None;

    public static T ReadWith<T>(Converter<T> converter, PythonValue value) => converter.Read(value);

    public static object? ReadBoxedWith(IBoxedConverter converter, PythonValue value) => converter.ReadBoxed(value);

    public bool TryBool(out bool value)
    {
        value = _obj == Py.True;
        return Py.TypeOf(_obj) == Py.BoolType;
    }

    public bool TryInt64(out long value, out bool overflow)
    {
        value = 0;
        overflow = false;
        var type = Py.TypeOf(_obj);
        if (type == Py.BoolType || type == Py.FloatType || _obj == Py.None)
            return false;
        int over;
        if (type == Py.LongType || (Py.PyType_GetFlags(type) & Py.LongSubclass) != 0)
        {
            value = Py.PyLong_AsLongLongAndOverflow(_obj, &over);
            overflow = over != 0;
            return true;
        }
        // Integer-like objects (numpy.int64 and the like) through __index__; floats refuse it.
        using var index = PyObject.Steal(Py.PyNumber_Index(_obj));
        if (index.IsNull)
        {
            Py.PyErr_Clear();
            return false;
        }
        value = Py.PyLong_AsLongLongAndOverflow(index.Handle, &over);
        overflow = over != 0;
        return true;
    }

    public bool TryBigInteger(out BigInteger value)
    {
        value = default;
        if (!TryInt64(out var small, out var overflow))
            return false;
        if (!overflow)
        {
            value = small;
            return true;
        }
        if (!FromPython.TryConvert(_obj, out var converted) || converted is not BigInteger big)
            return false;
        value = big;
        return true;
    }

    public bool TryDouble(out double value)
    {
        value = 0;
        var type = Py.TypeOf(_obj);
        if (type == Py.FloatType)
        {
            value = Py.PyFloat_AsDouble(_obj);
            return true;
        }
        if (type == Py.BoolType || type == Py.UnicodeType || _obj == Py.None)
            return false;
        // Float subclasses (numpy.float64), ints and objects with __float__.
        value = Py.PyFloat_AsDouble(_obj);
        if (value == -1 && Py.PyErr_Occurred() != 0)
        {
            Py.PyErr_Clear();
            return false;
        }
        return true;
    }

    public bool TryString(out string value)
    {
        value = "";
        var type = Py.TypeOf(_obj);
        if (type != Py.UnicodeType && (Py.PyType_GetFlags(type) & Py.UnicodeSubclass) == 0)
            return false;
        value = Py.AsString(_obj)!;
        return true;
    }

    public bool TryBytes(out byte[] value)
    {
        value = [];
        var type = Py.TypeOf(_obj);
        if (type != Py.BytesType && type != Py.ByteArrayType && (Py.PyType_GetFlags(type) & Py.BytesSubclass) == 0)
            return false;
        return FromPython.TryConvert(_obj, out var converted) && (value = (byte[])converted!) is not null;
    }

    public bool TryUntyped(out object? value) => FromPython.TryConvert(_obj, out value);

    public bool TrySequence(out PythonValue sequence, out int count)
    {
        sequence = default;
        count = 0;
        var type = Py.TypeOf(_obj);
        var flags = Py.PyType_GetFlags(type);
        if (type == Py.ListType || type == Py.TupleType || (flags & (Py.ListSubclass | Py.TupleSubclass)) != 0)
        {
            sequence = this;
            count = checked((int)(type == Py.TupleType || (flags & Py.TupleSubclass) != 0 ? Py.PyTuple_Size(_obj) : Py.PyList_Size(_obj)));
            return true;
        }
        if (_obj == Py.None || (flags & (Py.UnicodeSubclass | Py.BytesSubclass | Py.DictSubclass)) != 0 || type == Py.ByteArrayType)
            return false;
        // Sets, generators, any other iterable: read once into a list.
        var list = Py.PySequence_List(_obj);
        if (list == 0)
        {
            Py.PyErr_Clear();
            return false;
        }
        sequence = new PythonValue(list, owned: true);
        count = checked((int)Py.PyList_Size(list));
        return true;
    }

    public PythonValue Item(int index)
    {
        var isTuple = (Py.PyType_GetFlags(Py.TypeOf(_obj)) & Py.TupleSubclass) != 0;
        return Borrowed(isTuple ? Py.PyTuple_GetItem(_obj, index) : Py.PyList_GetItem(_obj, index));
    }

    public bool TryMapping(List<KeyValuePair<PythonValue, PythonValue>> entries)
    {
        var type = Py.TypeOf(_obj);
        if (type != Py.DictType && (Py.PyType_GetFlags(type) & Py.DictSubclass) == 0)
            return false;
        nint position = 0, key, item;
        while (Py.PyDict_Next(_obj, &position, &key, &item) != 0)
            entries.Add(new(Borrowed(key), Borrowed(item)));
        return true;
    }

    public bool TryAttribute(string name, out PythonValue value)
    {
        value = default;
        if (_obj == Py.None || (Py.PyType_GetFlags(Py.TypeOf(_obj)) & Py.DictSubclass) != 0)
            return false;
        var attribute = Py.GetAttr(_obj, name);
        if (attribute.IsNull)
        {
            Py.PyErr_Clear();
            return false;
        }
        value = new PythonValue(attribute.Release(), owned: true);
        return true;
    }

    public bool TryBuffer<T>(out T[] data, out int[] shape, out string? mismatch) where T : unmanaged =>
        Buffers.TryRead(_obj, out data, out shape, out mismatch);
}

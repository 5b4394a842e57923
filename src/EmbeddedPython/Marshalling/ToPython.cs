using System.Collections;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using EmbeddedPython.CPython;
using EmbeddedPython.Execution;

namespace EmbeddedPython.Marshalling;

/// <summary>
/// .NET values to new Python objects (DESIGN §4). Throws <see cref="ArgumentException"/> naming the value
/// that cannot convert or that contains itself; whatever was built before that is released.
/// Must be called holding the GIL.
/// </summary>
internal static unsafe class ToPython
{
    private const int MaxDepth = 512;

    // Containers on the path from the root value: a container met again there is a cycle.
    [ThreadStatic] private static HashSet<object>? t_path;

    /// <summary>Converts <paramref name="value"/>; the error names <paramref name="what"/> and the failing element's place.
    /// One-dimensional arrays of primitive numbers become lists (DESIGN §4), or buffers with
    /// <paramref name="arraysAsBuffers"/> (the typed path, §3b); <see cref="Memory{T}"/>, <see cref="ReadOnlyMemory{T}"/>
    /// and rectangular arrays of them are buffers either way (see <see cref="Buffers"/>).</summary>
    public static PyObject Convert(object? value, string what, bool arraysAsBuffers = false)
    {
        nint handle;
        try
        {
            handle = Build(value, 0, arraysAsBuffers);
        }
        catch (ConversionFailure failure)
        {
            throw new ArgumentException($"Could not convert {what}{failure.Place} to Python: {failure.Message}", failure.InnerException);
        }
        if (handle == 0)
            throw new ArgumentException($"Could not convert {what} to Python: {DescribePythonError()}");
        return PyObject.Steal(handle);
    }

    private static nint Build(object? value, int depth, bool buffers)
    {
        switch (value)
        {
            case null: return Py.NewRef(Py.None);
            case string s: return Py.FromString(s);
            case bool b: return Py.NewRef(b ? Py.True : Py.False);
            case int i: return Py.PyLong_FromLongLong(i);
            case long l: return Py.PyLong_FromLongLong(l);
            case double d: return Py.PyFloat_FromDouble(d);
            case byte[] bytes: return FromBytes(bytes);
            case short s16: return Py.PyLong_FromLongLong(s16);
            case sbyte s8: return Py.PyLong_FromLongLong(s8);
            case byte u8: return Py.PyLong_FromLongLong(u8);
            case ushort u16: return Py.PyLong_FromLongLong(u16);
            case uint u32: return Py.PyLong_FromLongLong(u32);
            case ulong u64: return Py.PyLong_FromUnsignedLongLong(u64);
            case float f: return Py.PyFloat_FromDouble(f);
            case char c: return Py.FromString(c.ToString());
            case BigInteger big: return FromBigInteger(big);
            case decimal m: return CallWithText(PythonRuntime.Current.DecimalType, m.ToString(CultureInfo.InvariantCulture));
            case DateTimeOffset dto: return FromDateTime(dto.DateTime, dto.Offset);
            case DateTime dt: return FromDateTime(dt, dt.Kind == DateTimeKind.Utc ? TimeSpan.Zero : null);
            case DateOnly date: return CallWithLongs(PythonRuntime.Current.DateType, date.Year, date.Month, date.Day);
            case Guid guid: return FromGuid(guid);
            case Enum e: return Py.PyLong_FromLongLong(System.Convert.ToInt64(e, CultureInfo.InvariantCulture));
            case PythonObject handle: return Py.NewRef(handle.Table.Get(handle)); // ObjectDisposedException once released
            case Delegate function: return Callbacks.CreateFunction(function);
            case ReadOnlyMemory<byte> memory: return FromBytes(memory.Span);
            case Memory<byte> memory: return FromBytes(memory.Span);
            case ArraySegment<byte> segment: return FromBytes(segment);
            case JsonElement element: return FromJson(element, depth);
            case Array array when (buffers || array.Rank > 1) && Buffers.TryFromArray(array, out var view): return view;
            case ValueType when Buffers.TryFromMemory(value, out var view): return view;
        }

        if (depth >= MaxDepth)
            throw new ConversionFailure($"it is nested more than {MaxDepth} levels deep.");
        var onPath = t_path ??= new HashSet<object>(ReferenceEqualityComparer.Instance);
        if (!onPath.Add(value))
            throw new ConversionFailure("it contains itself (a cycle); cycles cannot be converted to Python.");
        try
        {
            return value switch
            {
                JsonObject obj => FromPairs(obj.Select(p => new KeyValuePair<object, object?>(p.Key, p.Value)), depth, buffers),
                JsonArray array => FromSequence(array, depth, buffers),
                JsonNode node => FromJson(JsonDocument.Parse(node.ToJsonString()).RootElement, depth),
                // Typed shapes first: the non-generic interfaces box every entry or element.
                IEnumerable<KeyValuePair<string, object?>> pairs => FromPairs(pairs.Select(p => new KeyValuePair<object, object?>(p.Key, p.Value)), depth, buffers),
                IDictionary dictionary => FromPairs(Pairs(dictionary), depth, buffers),
                ITuple tuple => FromTuple(tuple, depth, buffers),
                IEnumerable<long> longs => FromNumbers(longs, static v => Py.PyLong_FromLongLong(v)),
                IEnumerable<int> ints => FromNumbers(ints, static v => Py.PyLong_FromLongLong(v)),
                IEnumerable<double> doubles => FromNumbers(doubles, static v => Py.PyFloat_FromDouble(v)),
                IEnumerable sequence => FromSequence(sequence, depth, buffers),
                _ => FromJson(SerializeObject(value), depth),
            };
        }
        finally
        {
            onPath.Remove(value);
        }
    }

    // Any other object goes through System.Text.Json's reflection-based serialiser (public properties, its
    // attributes). Trimmed and NativeAOT apps turn that serialiser off (JsonSerializer.IsReflectionEnabledByDefault):
    // there such an object is an error that says what to pass instead.
    private static JsonElement SerializeObject(object value)
    {
        if (!JsonSerializer.IsReflectionEnabledByDefault)
            throw new ConversionFailure(
                $"a {value.GetType()} cannot be serialised without reflection (trimmed or NativeAOT app): pass a dictionary, a list, a JsonElement or JsonNode " +
                "(JsonSerializer.SerializeToNode(value, YourJsonContext.Default.YourType)) instead.");
        try
        {
            return SerializeWithReflection(value);
        }
        catch (Exception e) when (e is JsonException or NotSupportedException)
        {
            throw new ConversionFailure($"a {value.GetType()} cannot be serialised: {e.Message}", e);
        }
    }

    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = "Only called when reflection-based serialisation is enabled, which trimmed apps turn off.")]
    [UnconditionalSuppressMessage("AOT", "IL3050", Justification = "Only called when reflection-based serialisation is enabled, which NativeAOT apps turn off.")]
    private static JsonElement SerializeWithReflection(object value) => JsonSerializer.SerializeToElement(value, value.GetType());

    private static IEnumerable<KeyValuePair<object, object?>> Pairs(IDictionary dictionary)
    {
        foreach (DictionaryEntry entry in dictionary)
            yield return new(entry.Key, entry.Value);
    }

    private static nint FromPairs(IEnumerable<KeyValuePair<object, object?>> pairs, int depth, bool buffers)
    {
        using var dict = PyObject.Steal(Py.PyDict_New());
        foreach (var (key, item) in pairs)
        {
            try
            {
                using var pyKey = PyObject.Steal(Build(key, depth + 1, buffers));
                using var pyValue = PyObject.Steal(pyKey.IsNull ? 0 : Build(item, depth + 1, buffers));
                if (pyValue.IsNull || Py.PyDict_SetItem(dict.Handle, pyKey.Handle, pyValue.Handle) != 0)
                    return 0;
            }
            catch (ConversionFailure failure)
            {
                throw failure.At($"[{key}]");
            }
        }
        return dict.Release();
    }

    /// <summary>A value tuple or Tuple&lt;…&gt; as a Python tuple.</summary>
    private static nint FromTuple(ITuple tuple, int depth, bool buffers)
    {
        using var result = PyObject.Steal(Py.PyTuple_New(tuple.Length));
        for (var i = 0; i < tuple.Length; i++)
        {
            nint item;
            try
            {
                item = Build(tuple[i], depth + 1, buffers);
            }
            catch (ConversionFailure failure)
            {
                throw failure.At($"[{i}]");
            }
            if (item == 0)
                return 0;
            Py.PyTuple_SetItem(result.Handle, i, item);
        }
        return result.Release();
    }

    private static nint FromNumbers<T>(IEnumerable<T> numbers, Func<T, nint> build)
    {
        using var list = PyObject.Steal(Py.PyList_New(0));
        foreach (var number in numbers)
        {
            using var item = PyObject.Steal(build(number));
            if (item.IsNull || Py.PyList_Append(list.Handle, item.Handle) != 0)
                return 0;
        }
        return list.Release();
    }

    private static nint FromSequence(IEnumerable sequence, int depth, bool buffers)
    {
        using var list = PyObject.Steal(Py.PyList_New(0));
        var index = 0;
        foreach (var item in sequence)
        {
            try
            {
                using var pyItem = PyObject.Steal(Build(item, depth + 1, buffers));
                if (pyItem.IsNull || Py.PyList_Append(list.Handle, pyItem.Handle) != 0)
                    return 0;
            }
            catch (ConversionFailure failure)
            {
                throw failure.At($"[{index}]");
            }
            index++;
        }
        return list.Release();
    }

    private static nint FromJson(JsonElement element, int depth)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                using (var dict = PyObject.Steal(Py.PyDict_New()))
                {
                    foreach (var property in element.EnumerateObject())
                    {
                        using var key = PyObject.Steal(Py.FromString(property.Name));
                        using var item = PyObject.Steal(FromJson(property.Value, depth + 1));
                        if (item.IsNull || Py.PyDict_SetItem(dict.Handle, key.Handle, item.Handle) != 0)
                            return 0;
                    }
                    return dict.Release();
                }
            case JsonValueKind.Array:
                using (var list = PyObject.Steal(Py.PyList_New(0)))
                {
                    foreach (var entry in element.EnumerateArray())
                    {
                        using var item = PyObject.Steal(FromJson(entry, depth + 1));
                        if (item.IsNull || Py.PyList_Append(list.Handle, item.Handle) != 0)
                            return 0;
                    }
                    return list.Release();
                }
            case JsonValueKind.String: return Py.FromString(element.GetString()!);
            case JsonValueKind.True: return Py.NewRef(Py.True);
            case JsonValueKind.False: return Py.NewRef(Py.False);
            case JsonValueKind.Number:
                if (element.TryGetInt64(out var l)) return Py.PyLong_FromLongLong(l);
                var raw = element.GetRawText();
                return raw.Contains('.') || raw.Contains('e') || raw.Contains('E')
                    ? Py.PyFloat_FromDouble(element.GetDouble())
                    : FromBigInteger(BigInteger.Parse(raw, CultureInfo.InvariantCulture));
            default: return Py.NewRef(Py.None);
        }
    }

    private static nint FromBytes(ReadOnlySpan<byte> bytes)
    {
        fixed (byte* p = bytes)
            return Py.PyBytes_FromStringAndSize(p, bytes.Length);
    }

    private static nint FromBigInteger(BigInteger value)
    {
        var text = System.Text.Encoding.ASCII.GetBytes(value.ToString(CultureInfo.InvariantCulture) + "\0");
        fixed (byte* p = text)
            return Py.PyLong_FromString((nint)p, null, 10);
    }

    private static nint FromDateTime(DateTime value, TimeSpan? offset)
    {
        var runtime = PythonRuntime.Current;
        var microsecond = (int)(value.Ticks % TimeSpan.TicksPerSecond / 10);
        using var offsetArg = offset is { } o ? PyObject.Steal(Py.PyLong_FromLongLong(o.Ticks / 10)) : PyObject.Borrow(Py.None);
        return CallWithLongs(runtime.MakeDateTime, [value.Year, value.Month, value.Day, value.Hour, value.Minute, value.Second, microsecond], offsetArg.Handle);
    }

    private static nint FromGuid(Guid guid)
    {
        Span<byte> bytes = stackalloc byte[16];
        guid.TryWriteBytes(bytes, bigEndian: true, out _);
        using var data = PyObject.Steal(FromBytes(bytes));
        using var args = PyObject.Steal(Py.Tuple(data.Handle));
        return Py.PyObject_CallObject(PythonRuntime.Current.MakeUuid, args.Handle);
    }

    private static nint CallWithText(nint callable, string text)
    {
        using var arg = PyObject.Steal(Py.FromString(text));
        using var args = PyObject.Steal(Py.Tuple(arg.Handle));
        return Py.PyObject_CallObject(callable, args.Handle);
    }

    private static nint CallWithLongs(nint callable, params ReadOnlySpan<long> values) => CallWithLongs(callable, values, 0);

    private static nint CallWithLongs(nint callable, ReadOnlySpan<long> values, nint last)
    {
        using var args = PyObject.Steal(Py.PyTuple_New(values.Length + (last != 0 ? 1 : 0)));
        for (var i = 0; i < values.Length; i++)
            Py.PyTuple_SetItem(args.Handle, i, Py.PyLong_FromLongLong(values[i]));
        if (last != 0)
            Py.PyTuple_SetItem(args.Handle, values.Length, Py.NewRef(last));
        return Py.PyObject_CallObject(callable, args.Handle);
    }

    /// <summary>The pending Python error as text (and cleared), for conversion failures inside CPython.</summary>
    private static string DescribePythonError()
    {
        if (Py.PyErr_Occurred() == 0)
            return "CPython returned no object";
        using var error = Py.TakeException();
        return Py.Str(error.Handle);
    }
}

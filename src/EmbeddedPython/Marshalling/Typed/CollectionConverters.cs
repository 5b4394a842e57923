using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Runtime.InteropServices;

namespace EmbeddedPython.Marshalling.Typed;

// Element converters are looked up through ConverterCache<T> when reading, not kept in fields: a type that
// contains itself (a tree node with a List<Node>) is still being built when its element converter is asked for.

/// <summary>Reading the items of a sequence into a span, each failure prefixed with its index.</summary>
internal static class Sequences
{
    public static void ReadItems<TSource, T>(TSource sequence, Span<T> into) where TSource : struct, IValueSource<TSource>
    {
        var element = ConverterCache<T>.Instance;
        for (var i = 0; i < into.Length; i++)
        {
            using var item = sequence.Item(i);
            try
            {
                into[i] = TSource.ReadWith(element, item);
            }
            catch (ConversionFailure failure)
            {
                throw failure.At($"[{i}]");
            }
        }
    }

    /// <summary>The items of a sequence through a converter known only at run time, each handed to <paramref name="store"/>.</summary>
    public static void ReadBoxedItems<TSource>(TSource sequence, int count, IBoxedConverter element, Action<int, object?> store) where TSource : struct, IValueSource<TSource>
    {
        for (var i = 0; i < count; i++)
        {
            using var item = sequence.Item(i);
            try
            {
                store(i, TSource.ReadBoxedWith(element, item));
            }
            catch (ConversionFailure failure)
            {
                throw failure.At($"[{i}]");
            }
        }
    }

    public static T[]? ReadArray<TSource, T>(TSource value) where TSource : struct, IValueSource<TSource>
    {
        if (!value.TrySequence(out var sequence, out var count))
            return null;
        using (sequence)
        {
            var items = new T[count];
            ReadItems(sequence, items.AsSpan());
            return items;
        }
    }

    /// <summary>A dict key that converts to null, or to a key another one converted to.</summary>
    public static ConversionFailure KeyClash(object? converted) =>
        new(converted is null ? "a None key is not a dictionary key" : $"key converts to {converted}, which another key converted to");

    /// <summary>How a dictionary key shows in a path: <c>['name']</c>, <c>[3]</c>, or its type.</summary>
    public static string KeySegment<TSource>(TSource key) where TSource : struct, IValueSource<TSource> =>
        key.TryString(out var text) ? $"['{text}']"
        : key.TryInt64(out var number, out var overflow) && !overflow ? $"[{number.ToString(CultureInfo.InvariantCulture)}]"
        : $"[<{key.TypeName} key>]";
}

/// <summary>T[] of any element type that is not a primitive number, from a sequence.</summary>
internal sealed class ArrayConverter<T> : Converter<T[]>
{
    public override T[] Read(PythonValue value) => ReadFrom(value);
    public override T[] Read(ConvertedValue value) => ReadFrom(value);

    private static T[] ReadFrom<TSource>(TSource value) where TSource : struct, IValueSource<TSource> =>
        value.IsNone ? null! : Sequences.ReadArray<TSource, T>(value) ?? throw Mismatch(value);
}

/// <summary>
/// T[] of a primitive number: from an object's C-contiguous buffer with one copy (numpy arrays, array.array,
/// memoryview, bytes for byte[]), else from a sequence item by item. A buffer of another element type is an
/// error, not a reason to convert each item.
/// </summary>
internal sealed class PrimitiveArrayConverter<T> : Converter<T[]> where T : unmanaged
{
    public override T[] Read(PythonValue value) => ReadFrom(value);
    public override T[] Read(ConvertedValue value) => ReadFrom(value);

    private static T[] ReadFrom<TSource>(TSource value) where TSource : struct, IValueSource<TSource>
    {
        if (value.IsNone)
            return null!;
        if (typeof(T) == typeof(byte) && value.TryBytes(out var bytes))
            return (T[])(object)bytes;
        if (value.TryBuffer<T>(out var data, out _, out var mismatch))
            return data;
        if (mismatch is not null)
            throw new ConversionFailure($"{value.TypeName} is not a {TypeNames.Of(typeof(T[]))}: {mismatch}");
        return Sequences.ReadArray<TSource, T>(value) ?? throw Mismatch(value);
    }
}

/// <summary>PythonBuffer&lt;T&gt;: a buffer's data and shape, or a sequence's items as a one-dimensional buffer.</summary>
internal sealed class BufferConverter<T> : Converter<PythonBuffer<T>> where T : unmanaged
{
    public override PythonBuffer<T> Read(PythonValue value) => ReadFrom(value);
    public override PythonBuffer<T> Read(ConvertedValue value) => ReadFrom(value);

    private static PythonBuffer<T> ReadFrom<TSource>(TSource value) where TSource : struct, IValueSource<TSource>
    {
        if (value.IsNone)
            return null!;
        if (value.TryBuffer<T>(out var data, out var shape, out var mismatch))
            return new PythonBuffer<T>(data, shape);
        if (mismatch is not null)
            throw new ConversionFailure($"{value.TypeName} is not a {TypeNames.Of(typeof(PythonBuffer<T>))}: {mismatch}");
        var items = Sequences.ReadArray<TSource, T>(value) ?? throw Mismatch(value);
        return new PythonBuffer<T>(items, [items.Length]);
    }
}

/// <summary>List&lt;T&gt;, and the read-only interfaces a List&lt;T&gt; implements.</summary>
internal sealed class ListConverter<T> : Converter<List<T>>
{
    public override List<T> Read(PythonValue value) => ReadFrom(value);
    public override List<T> Read(ConvertedValue value) => ReadFrom(value);

    private static List<T> ReadFrom<TSource>(TSource value) where TSource : struct, IValueSource<TSource>
    {
        if (value.IsNone)
            return null!;
        if (!value.TrySequence(out var sequence, out var count))
            throw Mismatch(value);
        using (sequence)
        {
            var list = new List<T>(count);
            CollectionsMarshal.SetCount(list, count);
            Sequences.ReadItems(sequence, CollectionsMarshal.AsSpan(list));
            return list;
        }
    }
}

internal sealed class SetConverter<T> : Converter<HashSet<T>>
{
    public override HashSet<T> Read(PythonValue value) => ReadFrom(value);
    public override HashSet<T> Read(ConvertedValue value) => ReadFrom(value);

    private static HashSet<T> ReadFrom<TSource>(TSource value) where TSource : struct, IValueSource<TSource> =>
        value.IsNone ? null! : new HashSet<T>(Sequences.ReadArray<TSource, T>(value) ?? throw Mismatch(value));
}

/// <summary>A dict with keys of any convertible type. Two keys that convert to the same .NET key are an error.</summary>
internal sealed class DictionaryConverter<TKey, TValue> : Converter<Dictionary<TKey, TValue>> where TKey : notnull
{
    public override Dictionary<TKey, TValue> Read(PythonValue value) => ReadFrom(value);
    public override Dictionary<TKey, TValue> Read(ConvertedValue value) => ReadFrom(value);

    private static Dictionary<TKey, TValue> ReadFrom<TSource>(TSource value) where TSource : struct, IValueSource<TSource>
    {
        if (value.IsNone)
            return null!;
        var entries = new List<KeyValuePair<TSource, TSource>>();
        if (!value.TryMapping(entries))
            throw Mismatch(value);
        var keys = ConverterCache<TKey>.Instance;
        var values = ConverterCache<TValue>.Instance;
        var result = new Dictionary<TKey, TValue>(entries.Count);
        foreach (var (key, item) in entries)
        {
            try
            {
                var converted = TSource.ReadWith(keys, key);
                if (converted is null || !result.TryAdd(converted, TSource.ReadWith(values, item)))
                    throw Sequences.KeyClash(converted);
            }
            catch (ConversionFailure failure)
            {
                throw failure.At(Sequences.KeySegment(key));
            }
        }
        return result;
    }
}

/// <summary>An interface (IReadOnlyList&lt;T&gt;, IDictionary&lt;K, V&gt;, …) read as the collection that implements it.</summary>
internal sealed class InterfaceConverter<TCollection, T> : Converter<T> where TCollection : T
{
    public override T Read(PythonValue value) => ConverterCache<TCollection>.Instance.Read(value);
    public override T Read(ConvertedValue value) => ConverterCache<TCollection>.Instance.Read(value);
}

// The converters below are built from Types, not closed over their element type: a collection of records
// (or of any reference type) converts under NativeAOT, where closing generic code at run time is not possible.

/// <summary>T[] of a reference-type element (records, strings, lists…), anywhere in a value.</summary>
internal sealed class ReferenceArrayReader(Type arrayType) : IBoxedConverter
{
    private readonly Type _element = arrayType.GetElementType()!;

    public Type Converts => arrayType;

    public object? ReadBoxed(PythonValue value) => ReadFrom(value);
    public object? ReadBoxed(ConvertedValue value) => ReadFrom(value);

    private object? ReadFrom<TSource>(TSource value) where TSource : struct, IValueSource<TSource>
    {
        if (value.IsNone)
            return null;
        if (!value.TrySequence(out var sequence, out var count))
            throw new ConversionFailure($"{value.TypeName} is not a {TypeNames.Of(arrayType)}");
        using (sequence)
        {
            var array = Array.CreateInstanceFromArrayType(arrayType, count);
            Sequences.ReadBoxedItems(sequence, count, ConverterFactory.Boxed(_element), (i, item) => array.SetValue(item, i));
            return array;
        }
    }
}

/// <summary>A List&lt;T&gt; of a reference-type element that a caller names as the type it wants.</summary>
internal sealed class ReferenceListConverter<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicParameterlessConstructor)] TList>(Type element) : Converter<TList>
{
    public override TList Read(PythonValue value) => ReadFrom(value);
    public override TList Read(ConvertedValue value) => ReadFrom(value);

    private TList ReadFrom<TSource>(TSource value) where TSource : struct, IValueSource<TSource>
    {
        if (value.IsNone)
            return default!;
        if (!value.TrySequence(out var sequence, out var count))
            throw Mismatch(value);
        using (sequence)
        {
            var list = (System.Collections.IList)Activator.CreateInstance<TList>()!;
            Sequences.ReadBoxedItems(sequence, count, ConverterFactory.Boxed(element), (_, item) => list.Add(item));
            return (TList)list;
        }
    }
}

/// <summary>A Dictionary&lt;string, T&gt; of a reference-type value that a caller names as the type it wants.</summary>
internal sealed class ReferenceDictionaryConverter<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicParameterlessConstructor)] TDictionary>(Type valueType) : Converter<TDictionary>
{
    public override TDictionary Read(PythonValue value) => ReadFrom(value);
    public override TDictionary Read(ConvertedValue value) => ReadFrom(value);

    private TDictionary ReadFrom<TSource>(TSource value) where TSource : struct, IValueSource<TSource>
    {
        if (value.IsNone)
            return default!;
        var entries = new List<KeyValuePair<TSource, TSource>>();
        if (!value.TryMapping(entries))
            throw Mismatch(value);
        var dictionary = (System.Collections.IDictionary)Activator.CreateInstance<TDictionary>()!;
        var values = ConverterFactory.Boxed(valueType);
        foreach (var (key, item) in entries)
        {
            try
            {
                var name = TSource.ReadWith(ConverterCache<string>.Instance, key);
                if (name is null || dictionary.Contains(name))
                    throw Sequences.KeyClash(name);
                dictionary.Add(name, TSource.ReadBoxedWith(values, item));
            }
            catch (ConversionFailure failure)
            {
                throw failure.At(Sequences.KeySegment(key));
            }
        }
        return (TDictionary)dictionary;
    }
}

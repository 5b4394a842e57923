using System.Numerics;

namespace EmbeddedPython.Marshalling.Typed;

/// <summary>
/// What a typed converter reads a value from: a live Python object (<see cref="PythonValue"/>, holding the GIL)
/// or a value already converted the untyped way (<see cref="ConvertedValue"/>, for <see cref="PythonResult.Get{T}"/>).
/// Converters are written once against this shape and specialised per source by the JIT (both are structs),
/// so the two sources give the same typed semantics. Each Try method answers false when the value is not of
/// that kind and leaves no Python error behind. Values handed out are disposed by the converter that got them.
/// </summary>
internal interface IValueSource<TSelf> : IDisposable where TSelf : struct, IValueSource<TSelf>
{
    /// <summary>Reads <paramref name="value"/> with the converter's overload for this source (no virtual generic call).</summary>
    static abstract T ReadWith<T>(Converter<T> converter, TSelf value);

    static abstract object? ReadBoxedWith(IBoxedConverter converter, TSelf value);

    /// <summary>The Python type name, for error messages (<c>str</c>, <c>numpy.ndarray</c>).</summary>
    string TypeName { get; }

    bool IsNone { get; }

    bool TryBool(out bool value);

    /// <summary>An int (not a bool), or an object with <c>__index__</c>; <paramref name="overflow"/> when beyond 64 bits.</summary>
    bool TryInt64(out long value, out bool overflow);

    bool TryBigInteger(out BigInteger value);

    /// <summary>A float, or a number that converts to one (an int, not a bool).</summary>
    bool TryDouble(out double value);

    bool TryString(out string value);

    /// <summary>bytes or bytearray.</summary>
    bool TryBytes(out byte[] value);

    /// <summary>The untyped (DESIGN §4) conversion of the value; false when it has none.</summary>
    bool TryUntyped(out object? value);

    /// <summary>A list, tuple, set or other iterable (not str, bytes or a dict), readable by index.</summary>
    bool TrySequence(out TSelf sequence, out int count);

    /// <summary>An item of a value <see cref="TrySequence"/> returned.</summary>
    TSelf Item(int index);

    /// <summary>A dict: its entries, appended to <paramref name="entries"/>.</summary>
    bool TryMapping(List<KeyValuePair<TSelf, TSelf>> entries);

    /// <summary>An attribute of an object that is neither None nor a dict (a dataclass, any object).</summary>
    bool TryAttribute(string name, out TSelf value);

    /// <summary>
    /// A C-contiguous buffer of <typeparamref name="T"/>, copied once. False with a null
    /// <paramref name="mismatch"/> when the value exposes no buffer; false with the reason when its buffer
    /// does not fit (format, item size, not contiguous).
    /// </summary>
    bool TryBuffer<T>(out T[] data, out int[] shape, out string? mismatch) where T : unmanaged;
}

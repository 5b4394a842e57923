using System.Globalization;
using System.Numerics;

namespace EmbeddedPython.Marshalling.Typed;

/// <summary>
/// A value already converted the untyped way (DESIGN §4: long, double, string, List&lt;object?&gt;,
/// Dictionary&lt;string, object?&gt;, …) as a typed converter reads it; needs no GIL. Dictionary keys were
/// turned into text by that conversion (int, float and bool keys as their JSON text), so a key reads back as
/// the number or bool its text spells.
/// </summary>
internal readonly struct ConvertedValue(object? value, bool isKeyText = false) : IValueSource<ConvertedValue>
{
    public object? Value => value;

    public void Dispose()
    {
    }

    public string TypeName => value switch
    {
        null => "None",
        bool => "bool",
        long or int or BigInteger => "int",
        double => "float",
        string => "str",
        byte[] => "bytes",
        IReadOnlyList<object?> => "list",
        IReadOnlyDictionary<string, object?> => "dict",
        DateTime or DateTimeOffset => "datetime.datetime",
        DateOnly => "datetime.date",
        decimal => "decimal.Decimal",
        Guid => "UUID",
        _ => value.GetType().Name,
    };

    public bool IsNone => value is null;

    public static T ReadWith<T>(Converter<T> converter, ConvertedValue value) => converter.Read(value);

    public static object? ReadBoxedWith(IBoxedConverter converter, ConvertedValue value) => converter.ReadBoxed(value);

    public bool TryBool(out bool result)
    {
        if (value is bool b) { result = b; return true; }
        result = isKeyText && value is "true";
        return isKeyText && value is "true" or "false";
    }

    public bool TryInt64(out long result, out bool overflow)
    {
        overflow = false;
        switch (value)
        {
            case long l: result = l; return true;
            case int i: result = i; return true;
            case BigInteger: result = 0; overflow = true; return true;
            case string text when isKeyText && BigInteger.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var parsed):
                overflow = parsed < long.MinValue || parsed > long.MaxValue;
                result = overflow ? 0 : (long)parsed;
                return true;
            default: result = 0; return false;
        }
    }

    public bool TryBigInteger(out BigInteger result)
    {
        switch (value)
        {
            case BigInteger big: result = big; return true;
            case string text when isKeyText: return BigInteger.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out result);
            default:
                var isInteger = TryInt64(out var small, out _);
                result = small;
                return isInteger;
        }
    }

    public bool TryDouble(out double result)
    {
        switch (value)
        {
            case double d: result = d; return true;
            case long l: result = l; return true;
            case int i: result = i; return true;
            case BigInteger big: result = (double)big; return true;
            case decimal m: result = (double)m; return true;
            case string text when isKeyText: return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out result);
            default: result = 0; return false;
        }
    }

    public bool TryString(out string result)
    {
        result = value as string ?? "";
        return value is string;
    }

    public bool TryBytes(out byte[] result)
    {
        result = value as byte[] ?? [];
        return value is byte[];
    }

    public bool TryUntyped(out object? result)
    {
        result = value;
        return true;
    }

    public bool TrySequence(out ConvertedValue sequence, out int count)
    {
        sequence = this;
        count = (value as IReadOnlyList<object?>)?.Count ?? 0;
        return value is IReadOnlyList<object?>;
    }

    public ConvertedValue Item(int index) => new(((IReadOnlyList<object?>)value!)[index]);

    public bool TryMapping(List<KeyValuePair<ConvertedValue, ConvertedValue>> entries)
    {
        if (value is not IReadOnlyDictionary<string, object?> dictionary)
            return false;
        foreach (var (key, item) in dictionary)
            entries.Add(new(new(key, isKeyText: true), new(item)));
        return true;
    }

    // An object that had attributes did not survive the untyped conversion; only its dict form did.
    public bool TryAttribute(string name, out ConvertedValue result)
    {
        result = default;
        return false;
    }

    public bool TryBuffer<T>(out T[] data, out int[] shape, out string? mismatch) where T : unmanaged
    {
        data = [];
        shape = [];
        mismatch = null;
        if (value is not byte[] bytes || typeof(T) != typeof(byte))
            return false;
        data = (T[])(object)bytes.Clone();
        shape = [bytes.Length];
        return true;
    }
}

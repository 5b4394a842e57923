using System.Globalization;
using System.Numerics;

namespace EmbeddedPython.Marshalling.Typed;

// One converter per scalar type. Each reads both sources through one generic ReadFrom, so a Python object and
// a value converted before give the same result. Numbers are checked, never wrapped or rounded into range;
// a bool is not taken for a number (it is an int in Python, but reading one as a count is a mistake).

/// <summary>T = object: the untyped conversion of DESIGN §4.</summary>
internal sealed class UntypedConverter : Converter<object?>
{
    public override object? Read(PythonValue value) => ReadFrom(value);
    public override object? Read(ConvertedValue value) => ReadFrom(value);

    private static object? ReadFrom<TSource>(TSource value) where TSource : struct, IValueSource<TSource> =>
        value.TryUntyped(out var result) ? result : throw new ConversionFailure($"{value.TypeName} has no .NET form (DESIGN §4 conversion); ask for a typed result instead");
}

internal sealed class BoolConverter : Converter<bool>
{
    public override bool Read(PythonValue value) => ReadFrom(value);
    public override bool Read(ConvertedValue value) => ReadFrom(value);

    private static bool ReadFrom<TSource>(TSource value) where TSource : struct, IValueSource<TSource> =>
        value.TryBool(out var result) ? result : throw Mismatch(value);
}

internal sealed class IntegerConverter<T> : Converter<T> where T : struct, IBinaryInteger<T>
{
    public override T Read(PythonValue value) => ReadFrom(value);
    public override T Read(ConvertedValue value) => ReadFrom(value);

    private static T ReadFrom<TSource>(TSource value) where TSource : struct, IValueSource<TSource>
    {
        if (!value.TryInt64(out var small, out var overflow))
            throw Mismatch(value);
        if (!overflow)
        {
            var result = T.CreateSaturating(small);
            if (long.CreateSaturating(result) == small)
                return result;
            throw OutOfRange(small);
        }
        value.TryBigInteger(out var big);
        if (typeof(T) == typeof(ulong) && big >= 0 && big <= ulong.MaxValue)
            return T.CreateTruncating((ulong)big);
        throw OutOfRange(big);
    }

    private static ConversionFailure OutOfRange(BigInteger number) =>
        new($"int {number} is out of the range of {TypeNames.Of(typeof(T))}");
}

internal sealed class BigIntegerConverter : Converter<BigInteger>
{
    public override BigInteger Read(PythonValue value) => ReadFrom(value);
    public override BigInteger Read(ConvertedValue value) => ReadFrom(value);

    private static BigInteger ReadFrom<TSource>(TSource value) where TSource : struct, IValueSource<TSource> =>
        value.TryBigInteger(out var result) ? result : throw Mismatch(value);
}

internal sealed class DoubleConverter : Converter<double>
{
    public override double Read(PythonValue value) => ReadFrom(value);
    public override double Read(ConvertedValue value) => ReadFrom(value);

    private static double ReadFrom<TSource>(TSource value) where TSource : struct, IValueSource<TSource> =>
        value.TryDouble(out var result) ? result : throw Mismatch(value);
}

internal sealed class FloatConverter : Converter<float>
{
    public override float Read(PythonValue value) => ReadFrom(value);
    public override float Read(ConvertedValue value) => ReadFrom(value);

    private static float ReadFrom<TSource>(TSource value) where TSource : struct, IValueSource<TSource>
    {
        if (!value.TryDouble(out var number))
            throw Mismatch(value);
        var result = (float)number;
        return float.IsInfinity(result) && !double.IsInfinity(number)
            ? throw new ConversionFailure($"{number.ToString(CultureInfo.InvariantCulture)} is out of the range of float")
            : result;
    }
}

/// <summary>From a Decimal, an int or a float (a float's shortest decimal text, as Python's repr gives it).</summary>
internal sealed class DecimalConverter : Converter<decimal>
{
    public override decimal Read(PythonValue value) => ReadFrom(value);
    public override decimal Read(ConvertedValue value) => ReadFrom(value);

    private static decimal ReadFrom<TSource>(TSource value) where TSource : struct, IValueSource<TSource>
    {
        if (value.TryInt64(out var small, out var overflow) && !overflow)
            return small;
        if (value.TryUntyped(out var untyped) && untyped is decimal or double)
        {
            var text = untyped is double d ? d.ToString("R", CultureInfo.InvariantCulture) : ((decimal)untyped).ToString(CultureInfo.InvariantCulture);
            if (decimal.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var result))
                return result;
            throw new ConversionFailure($"{text} is out of the range of decimal");
        }
        throw Mismatch(value);
    }
}

/// <summary>str, or None as null.</summary>
internal sealed class StringConverter : Converter<string>
{
    public override string Read(PythonValue value) => ReadFrom(value);
    public override string Read(ConvertedValue value) => ReadFrom(value);

    private static string ReadFrom<TSource>(TSource value) where TSource : struct, IValueSource<TSource> =>
        value.IsNone ? null! : value.TryString(out var result) ? result : throw Mismatch(value);
}

/// <summary>A str of one UTF-16 unit.</summary>
internal sealed class CharConverter : Converter<char>
{
    public override char Read(PythonValue value) => ReadFrom(value);
    public override char Read(ConvertedValue value) => ReadFrom(value);

    private static char ReadFrom<TSource>(TSource value) where TSource : struct, IValueSource<TSource>
    {
        if (!value.TryString(out var text))
            throw Mismatch(value);
        return text.Length == 1 ? text[0] : throw new ConversionFailure($"str of length {text.Length} is not a char");
    }
}

/// <summary>A naive datetime as it is; an aware one as its UTC time (Kind Utc).</summary>
internal sealed class DateTimeConverter : Converter<DateTime>
{
    public override DateTime Read(PythonValue value) => ReadFrom(value);
    public override DateTime Read(ConvertedValue value) => ReadFrom(value);

    private static DateTime ReadFrom<TSource>(TSource value) where TSource : struct, IValueSource<TSource>
    {
        if (value.TryUntyped(out var untyped) && untyped is DateTime or DateTimeOffset)
            return untyped is DateTimeOffset aware ? aware.UtcDateTime : (DateTime)untyped;
        throw Mismatch(value);
    }
}

/// <summary>An aware datetime; a naive one has no offset to give, and is refused rather than guessed.</summary>
internal sealed class DateTimeOffsetConverter : Converter<DateTimeOffset>
{
    public override DateTimeOffset Read(PythonValue value) => ReadFrom(value);
    public override DateTimeOffset Read(ConvertedValue value) => ReadFrom(value);

    private static DateTimeOffset ReadFrom<TSource>(TSource value) where TSource : struct, IValueSource<TSource>
    {
        if (value.TryUntyped(out var untyped) && untyped is DateTimeOffset aware)
            return aware;
        if (untyped is DateTime)
            throw new ConversionFailure("naive datetime (no tzinfo) is not a DateTimeOffset");
        throw Mismatch(value);
    }
}

internal sealed class DateOnlyConverter : Converter<DateOnly>
{
    public override DateOnly Read(PythonValue value) => ReadFrom(value);
    public override DateOnly Read(ConvertedValue value) => ReadFrom(value);

    private static DateOnly ReadFrom<TSource>(TSource value) where TSource : struct, IValueSource<TSource> =>
        value.TryUntyped(out var untyped) && untyped is DateOnly date ? date : throw Mismatch(value);
}

/// <summary>A datetime.timedelta, exact to the microsecond (its days, seconds and microseconds).</summary>
internal sealed class TimeSpanConverter : Converter<TimeSpan>
{
    public override TimeSpan Read(PythonValue value) => ReadFrom(value);
    public override TimeSpan Read(ConvertedValue value) => ReadFrom(value);

    private static TimeSpan ReadFrom<TSource>(TSource value) where TSource : struct, IValueSource<TSource>
    {
        if (value.TypeName != "datetime.timedelta")
            throw Mismatch(value);
        long Part(TSource delta, string name)
        {
            delta.TryAttribute(name, out var part);
            using (part)
                return part.TryInt64(out var number, out _) ? number : 0;
        }
        return TimeSpan.FromDays(Part(value, "days")) + TimeSpan.FromSeconds(Part(value, "seconds")) + TimeSpan.FromMicroseconds(Part(value, "microseconds"));
    }
}

/// <summary>A uuid.UUID, or a str in any format <see cref="Guid.Parse(string)"/> reads.</summary>
internal sealed class GuidConverter : Converter<Guid>
{
    public override Guid Read(PythonValue value) => ReadFrom(value);
    public override Guid Read(ConvertedValue value) => ReadFrom(value);

    private static Guid ReadFrom<TSource>(TSource value) where TSource : struct, IValueSource<TSource>
    {
        if (value.TryString(out var text))
            return Guid.TryParse(text, out var parsed) ? parsed : throw new ConversionFailure($"str '{text}' is not a Guid");
        return value.TryUntyped(out var untyped) && untyped is Guid guid ? guid : throw Mismatch(value);
    }
}

/// <summary>An int that names a member (any int for a [Flags] enum), or a member's name in any case, with or
/// without underscores (<c>"dark_red"</c>, <c>"DARK_RED"</c> → DarkRed), or a Python enum member (by name).
/// Built from the enum's <see cref="Type"/> with non-generic Enum calls, so that an enum anywhere in a value (a
/// record member, a tuple item) converts without closing generic code over it (NativeAOT).</summary>
internal sealed class EnumReader : IBoxedConverter
{
    private readonly bool _isFlags;
    private readonly string[] _names;
    private readonly Dictionary<string, object> _byName;

    public EnumReader(Type enumType)
    {
        Converts = enumType;
        _isFlags = enumType.IsDefined(typeof(FlagsAttribute), inherit: false);
        _names = Enum.GetNames(enumType);
        _byName = _names.DistinctBy(RecordNames.Normalise).ToDictionary(RecordNames.Normalise, name => Enum.Parse(enumType, name));
    }

    public Type Converts { get; }

    public object? ReadBoxed(PythonValue value) => ReadFrom(value);
    public object? ReadBoxed(ConvertedValue value) => ReadFrom(value);

    private object ReadFrom<TSource>(TSource value) where TSource : struct, IValueSource<TSource>
    {
        if (value.TryInt64(out var number, out var overflow))
        {
            var member = Enum.ToObject(Converts, number);
            return !overflow && (_isFlags || Enum.IsDefined(Converts, member))
                ? member
                : throw new ConversionFailure($"int {number} is not a value of {Converts.Name}");
        }
        if (value.TryString(out var name) || TryMemberName(value, out name))
            return _byName.TryGetValue(RecordNames.Normalise(name), out var named)
                ? named
                : throw new ConversionFailure($"'{name}' is not a name of {Converts.Name} ({string.Join(", ", _names)})");
        throw new ConversionFailure($"{value.TypeName} is not a {Converts.Name}");
    }

    private static bool TryMemberName<TSource>(TSource value, out string name) where TSource : struct, IValueSource<TSource>
    {
        name = "";
        if (!value.TryAttribute("_name_", out var member))
            return false;
        using (member)
            return member.TryString(out name);
    }
}

internal sealed class NullableConverter<T> : Converter<T?> where T : struct
{
    // Looked up when reading, not when built: the factory builds this converter while it is being set up itself.
    public override T? Read(PythonValue value) => value.IsNone ? null : ConverterCache<T>.Instance.Read(value);
    public override T? Read(ConvertedValue value) => value.IsNone ? null : ConverterCache<T>.Instance.Read(value);
}

/// <summary>The call API's handle type: wraps the object, converts nothing.</summary>
internal sealed class HandleConverter<T> : Converter<T>
{
    public override T Read(PythonValue value) =>
        TypedConversion.HandleFactory is { } wrap ? (T)wrap(value.Handle) : throw new ConversionFailure("live object handles are not available");

    public override T Read(ConvertedValue value) => value.Value is T handle ? handle : throw Mismatch(value);
}

/// <summary>A type with no conversion (an interface or abstract class not listed in DESIGN §3b, a pointer), or
/// one whose converter could not be built (<paramref name="reason"/>).</summary>
internal sealed class UnsupportedConverter<T>(string? reason = null) : Converter<T>
{
    public UnsupportedConverter() : this(null)
    {
    }

    public override T Read(PythonValue value) => throw Unsupported();
    public override T Read(ConvertedValue value) => throw Unsupported();

    private ConversionFailure Unsupported() =>
        new(reason ?? $"{TypeNames.Of(typeof(T))} is not a type Python values convert to (see the typed-conversion table in the README)");
}

using System.Collections;
using System.Globalization;
using Autokitteh.Values.V1;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using AkBigInteger = Autokitteh.Values.V1.BigInteger;
using AkBoolean = Autokitteh.Values.V1.Boolean;
using AkDuration = Autokitteh.Values.V1.Duration;
using AkStruct = Autokitteh.Values.V1.Struct;
using AkString = Autokitteh.Values.V1.String;
using AkValue = Autokitteh.Values.V1.Value;

namespace EmbeddedPython.Autokitteh.Protocol;

/// <summary>autokitteh <c>Value</c>s from and to .NET. Python renders its values as tagged lists
/// (embedded_python_grpc/values.py, where the Python-side rules of spec §1.5 live); plain .NET values
/// (syscall arguments) and Values coming back from the worker are converted here.</summary>
internal static class AutokittehValues
{
    /// <summary>Builds a Value from a tagged list <c>[kind, ...]</c> as the Python side renders it.</summary>
    public static AkValue FromTagged(object? tagged)
    {
        if (tagged is not IReadOnlyList<object?> { Count: > 0 } parts || parts[0] is not string kind)
            throw new FormatException($"not a tagged value: {tagged}");
        return kind switch
        {
            "nothing" => new AkValue { Nothing = new Nothing() },
            "boolean" => new AkValue { Boolean = new AkBoolean { V = (bool)parts[1]! } },
            "integer" => new AkValue { Integer = new Integer { V = Convert.ToInt64(parts[1], CultureInfo.InvariantCulture) } },
            "big_integer" => new AkValue { BigInteger = new AkBigInteger { V = (string)parts[1]! } },
            "float" => new AkValue { Float = new Float { V = Convert.ToDouble(parts[1], CultureInfo.InvariantCulture) } },
            "string" => new AkValue { String = new AkString { V = (string)parts[1]! } },
            "bytes" => new AkValue { Bytes = new Bytes { V = ByteString.CopyFrom((byte[])parts[1]!) } },
            "list" => new AkValue { List = new List { Vs = { Items(parts[1]).Select(FromTagged) } } },
            "set" => new AkValue { Set = new Set { Vs = { Items(parts[1]).Select(FromTagged) } } },
            "dict" => new AkValue { Dict = new Dict { Items = { Items(parts[1]).Select(DictItem) } } },
            "time" => new AkValue { Time = new Time { V = new Timestamp { Seconds = Convert.ToInt64(parts[1], CultureInfo.InvariantCulture), Nanos = Convert.ToInt32(parts[2], CultureInfo.InvariantCulture) } } },
            "duration" => new AkValue { Duration = new AkDuration { V = new Google.Protobuf.WellKnownTypes.Duration { Seconds = Convert.ToInt64(parts[1], CultureInfo.InvariantCulture), Nanos = Convert.ToInt32(parts[2], CultureInfo.InvariantCulture) } } },
            "struct" => Struct(parts),
            _ => throw new FormatException($"unknown value kind '{kind}'"),
        };
    }

    private static AkValue Struct(IReadOnlyList<object?> parts)
    {
        var value = new AkStruct { Ctor = FromTagged(parts[1]) };
        if (parts[2] is IEnumerable<KeyValuePair<string, object?>> fields)
            foreach (var (name, field) in fields)
                value.Fields.Add(name, FromTagged(field));
        return new AkValue { Struct = value };
    }

    private static Dict.Types.Item DictItem(object? pair)
    {
        var kv = (IReadOnlyList<object?>)pair!;
        return new Dict.Types.Item { K = FromTagged(kv[0]), V = FromTagged(kv[1]) };
    }

    private static IEnumerable<object?> Items(object? list) => list as IEnumerable<object?> ?? [];

    /// <summary>Builds a Value from a plain .NET value (what Python code passed to a syscall).</summary>
    public static AkValue FromDotNet(object? value) => value switch
    {
        null => new AkValue { Nothing = new Nothing() },
        bool b => new AkValue { Boolean = new AkBoolean { V = b } },
        long or int => new AkValue { Integer = new Integer { V = Convert.ToInt64(value, CultureInfo.InvariantCulture) } },
        System.Numerics.BigInteger big => new AkValue { BigInteger = new AkBigInteger { V = big.ToString(CultureInfo.InvariantCulture) } },
        double or float or decimal => new AkValue { Float = new Float { V = Convert.ToDouble(value, CultureInfo.InvariantCulture) } },
        string s => new AkValue { String = new AkString { V = s } },
        byte[] bytes => new AkValue { Bytes = new Bytes { V = ByteString.CopyFrom(bytes) } },
        DateTimeOffset moment => new AkValue { Time = new Time { V = Timestamp.FromDateTimeOffset(moment) } },
        DateTime moment => new AkValue { Time = new Time { V = Timestamp.FromDateTime(moment.ToUniversalTime()) } },
        IDictionary dictionary => new AkValue { Dict = new Dict { Items = { Entries(dictionary).Select(e => new Dict.Types.Item { K = FromDotNet(e.Key), V = FromDotNet(e.Value) }) } } },
        IEnumerable items => new AkValue { List = new List { Vs = { items.Cast<object?>().Select(FromDotNet) } } },
        _ => new AkValue { String = new AkString { V = Convert.ToString(value, CultureInfo.InvariantCulture) ?? "" } },
    };

    // IDictionary's own enumerator yields DictionaryEntry; its IEnumerable one may yield KeyValuePair.
    private static IEnumerable<DictionaryEntry> Entries(IDictionary dictionary)
    {
        foreach (DictionaryEntry entry in dictionary)
            yield return entry;
    }

    /// <summary>A Value as a plain .NET value Python receives (custom values unwrap to their display value).</summary>
    public static object? ToDotNet(AkValue? value)
    {
        if (value is null)
            return null;
        return value switch
        {
            { Boolean: { } b } => b.V,
            { String: { } s } => s.V,
            { Integer: { } i } => i.V,
            { BigInteger: { } big } => System.Numerics.BigInteger.Parse(big.V, CultureInfo.InvariantCulture),
            { Float: { } f } => f.V,
            { Bytes: { } bytes } => bytes.V.ToByteArray(),
            { List: { } list } => list.Vs.Select(ToDotNet).ToList(),
            { Set: { } set } => set.Vs.Select(ToDotNet).ToList(),
            { Dict: { } dict } => dict.Items.ToDictionary(item => KeyText(item.K), item => ToDotNet(item.V)),
            { Time: { } time } => time.V.ToDateTimeOffset(),
            { Duration: { } duration } => duration.V.ToTimeSpan().TotalSeconds,
            { Struct: { } s } => s.Fields.ToDictionary(f => f.Key, f => ToDotNet(f.Value)),
            { Custom: { } custom } => ToDotNet(custom.Value),
            { Symbol: { } symbol } => symbol.Name,
            _ => null,
        };
    }

    private static string KeyText(AkValue key) => ToDotNet(key) switch
    {
        string s => s,
        var other => Convert.ToString(other, CultureInfo.InvariantCulture) ?? "",
    };
}

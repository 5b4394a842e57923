using System.Buffers;
using System.Collections;
using System.Globalization;
using System.Numerics;
using System.Text;
using System.Text.Json;
using ProtoStruct = Google.Protobuf.WellKnownTypes.Struct;
using ProtoValue = Google.Protobuf.WellKnownTypes.Value;

namespace EmbeddedPython.Grpc.Protocol;

/// <summary>
/// JSON text ⇄ the .NET values the executor converts. Hand-written because System.Text.Json's own
/// object model would turn every number into one type: JSON <c>1</c> must reach Python as int,
/// <c>1.0</c> as float and 2^70 as int, and a Python int beyond 64 bits must come back digit for digit.
/// </summary>
internal static class JsonValues
{
    private const double MaxExactInteger = 9007199254740992d; // 2^53

    /// <summary>Parses a JSON object into preset values; throws <see cref="FormatException"/> naming the problem.</summary>
    public static Dictionary<string, object?> ParseObject(string json) =>
        (Dictionary<string, object?>)Parse(json, "preset_values_json", JsonValueKind.Object)!;

    /// <summary>Parses JSON text whose top level is of the <paramref name="kind"/> asked for
    /// (<see cref="JsonValueKind.Undefined"/>: any); throws <see cref="FormatException"/> naming
    /// <paramref name="field"/> and the problem.</summary>
    /// <remarks>Read with a <see cref="Utf8JsonReader"/> straight into the values (no document in between):
    /// it runs on every request that sends presets or arguments as JSON.</remarks>
    public static object? Parse(string json, string field, JsonValueKind kind = JsonValueKind.Undefined)
    {
        var length = Encoding.UTF8.GetMaxByteCount(json.Length);
        var rented = length <= 1024 ? null : ArrayPool<byte>.Shared.Rent(length);
        Span<byte> buffer = rented ?? stackalloc byte[1024];
        try
        {
            var reader = new Utf8JsonReader(buffer[..Encoding.UTF8.GetBytes(json, buffer)], new JsonReaderOptions { MaxDepth = 256 });
            if (!reader.Read())
                throw new FormatException($"{field} is not valid JSON: it is empty.");
            var top = KindOf(reader.TokenType);
            if (kind != JsonValueKind.Undefined && top != kind)
                throw new FormatException($"{field} must be a JSON {kind.ToString().ToLowerInvariant()}, not {top}.");
            var value = ReadValue(ref reader, field);
            if (reader.Read())
                throw new FormatException($"{field} is not valid JSON: more follows the {top.ToString().ToLowerInvariant()}.");
            return value;
        }
        catch (JsonException e)
        {
            throw new FormatException($"{field} is not valid JSON: {e.Message}", e);
        }
        finally
        {
            if (rented is not null)
                ArrayPool<byte>.Shared.Return(rented);
        }
    }

    private static object? ReadValue(ref Utf8JsonReader reader, string field)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.StartObject:
                var values = new Dictionary<string, object?>();
                while (Next(ref reader, field) != JsonTokenType.EndObject)
                {
                    var name = reader.GetString()!;
                    Next(ref reader, field);
                    values[name] = ReadValue(ref reader, field);
                }
                return values;
            case JsonTokenType.StartArray:
                var items = new List<object?>();
                while (Next(ref reader, field) != JsonTokenType.EndArray)
                    items.Add(ReadValue(ref reader, field));
                return items;
            case JsonTokenType.String:
                return reader.GetString();
            case JsonTokenType.True:
                return true;
            case JsonTokenType.False:
                return false;
            case JsonTokenType.Number:
                return ReadNumber(ref reader);
            default:
                return null;
        }
    }

    private static JsonTokenType Next(ref Utf8JsonReader reader, string field) =>
        reader.Read() ? reader.TokenType : throw new FormatException($"{field} is not valid JSON: it ends too early.");

    private static object ReadNumber(ref Utf8JsonReader reader)
    {
        if (reader.TryGetInt64(out var integer))
            return integer;
        var text = reader.ValueSpan;
        if (!text.ContainsAny((byte)'.', (byte)'e', (byte)'E') && BigInteger.TryParse(Encoding.ASCII.GetString(text), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var big))
            return big;
        return reader.GetDouble();
    }

    private static JsonValueKind KindOf(JsonTokenType token) => token switch
    {
        JsonTokenType.StartObject => JsonValueKind.Object,
        JsonTokenType.StartArray => JsonValueKind.Array,
        JsonTokenType.String => JsonValueKind.String,
        JsonTokenType.Number => JsonValueKind.Number,
        JsonTokenType.True => JsonValueKind.True,
        JsonTokenType.False => JsonValueKind.False,
        JsonTokenType.Null => JsonValueKind.Null,
        _ => JsonValueKind.Undefined,
    };

    /// <summary>Converts a protobuf Struct; integral numbers within ±2^53 become integers.</summary>
    public static Dictionary<string, object?> FromStruct(ProtoStruct value) =>
        value.Fields.ToDictionary(f => f.Key, f => FromProto(f.Value));

    private static object? FromProto(ProtoValue value) => value.KindCase switch
    {
        ProtoValue.KindOneofCase.NumberValue => value.NumberValue is var d && Math.Abs(d) <= MaxExactInteger && Math.Floor(d) == d
            ? (object)(long)d
            : d,
        ProtoValue.KindOneofCase.StringValue => value.StringValue,
        ProtoValue.KindOneofCase.BoolValue => value.BoolValue,
        ProtoValue.KindOneofCase.StructValue => FromStruct(value.StructValue),
        ProtoValue.KindOneofCase.ListValue => value.ListValue.Values.Select(FromProto).ToList(),
        _ => null,
    };

    /// <summary>Writes a converted value as JSON; <paramref name="lossy"/> tells whether some part had no JSON form.</summary>
    public static string Write(object? value, out bool lossy)
    {
        var writer = Writer(out var buffer);
        lossy = false;
        WriteValue(writer, value, ref lossy, depth: 0);
        return Finish(writer, buffer);
    }

    /// <summary>Writes the selected globals as one JSON object, collecting the names that were lossy.</summary>
    public static string WriteObject(IReadOnlyDictionary<string, object?> values, ICollection<string> lossyNames)
    {
        var writer = Writer(out var buffer);
        writer.WriteStartObject();
        foreach (var (name, value) in values)
        {
            var lossy = false;
            writer.WritePropertyName(name);
            WriteValue(writer, value, ref lossy, depth: 0);
            if (lossy)
                lossyNames.Add(name);
        }
        writer.WriteEndObject();
        return Finish(writer, buffer);
    }

    // One writer and buffer per thread, reset for each value: results are written on every call.
    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_buffer;

    [ThreadStatic]
    private static Utf8JsonWriter? t_writer;

    private static Utf8JsonWriter Writer(out ArrayBufferWriter<byte> buffer)
    {
        buffer = t_buffer ??= new ArrayBufferWriter<byte>(256);
        buffer.ResetWrittenCount();
        if (t_writer is { } writer)
        {
            writer.Reset(buffer);
            return writer;
        }
        return t_writer = new Utf8JsonWriter(buffer);
    }

    private static string Finish(Utf8JsonWriter writer, ArrayBufferWriter<byte> buffer)
    {
        writer.Flush();
        var text = Encoding.UTF8.GetString(buffer.WrittenSpan);
        // A large result's buffer is not kept for the thread's life.
        if (buffer.Capacity > 64 * 1024)
            t_buffer = null;
        return text;
    }

    private static void WriteValue(Utf8JsonWriter writer, object? value, ref bool lossy, int depth)
    {
        if (depth > 64)
        {
            WriteLossy(writer, value, ref lossy);
            return;
        }
        switch (value)
        {
            case null: writer.WriteNullValue(); break;
            case bool b: writer.WriteBooleanValue(b); break;
            case string s: writer.WriteStringValue(s); break;
            case long l: writer.WriteNumberValue(l); break;
            case int i: writer.WriteNumberValue(i); break;
            case BigInteger big: writer.WriteRawValue(big.ToString(CultureInfo.InvariantCulture)); break;
            case double d when double.IsFinite(d): WriteFloat(writer, d); break;
            case float f when float.IsFinite(f): WriteFloat(writer, f); break;
            case decimal m: writer.WriteNumberValue(m); break;
            case byte[] bytes: writer.WriteBase64StringValue(bytes); break;
            case DateTimeOffset moment: writer.WriteStringValue(moment); break;
            case DateTime moment: writer.WriteStringValue(moment); break;
            case DateOnly day: writer.WriteStringValue(day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)); break;
            case TimeSpan span: writer.WriteNumberValue(span.TotalSeconds); break;
            case Guid id: writer.WriteStringValue(id); break;
            case IDictionary dictionary:
                writer.WriteStartObject();
                foreach (DictionaryEntry entry in dictionary)
                {
                    writer.WritePropertyName(Convert.ToString(entry.Key, CultureInfo.InvariantCulture) ?? "");
                    WriteValue(writer, entry.Value, ref lossy, depth + 1);
                }
                writer.WriteEndObject();
                break;
            case IEnumerable items:
                writer.WriteStartArray();
                foreach (var item in items)
                    WriteValue(writer, item, ref lossy, depth + 1);
                writer.WriteEndArray();
                break;
            default: WriteLossy(writer, value, ref lossy); break;
        }
    }

    // A Python float stays a float in JSON: 1.0 is written "1.0", not "1".
    private static void WriteFloat(Utf8JsonWriter writer, double value)
    {
        var text = value.ToString("R", CultureInfo.InvariantCulture);
        writer.WriteRawValue(text.AsSpan().ContainsAny('.', 'E', 'e') ? text : text + ".0");
    }

    private static void WriteLossy(Utf8JsonWriter writer, object? value, ref bool lossy)
    {
        lossy = true;
        writer.WriteStartObject();
        writer.WriteString("__type__", value?.GetType().Name ?? "None");
        writer.WriteString("__repr__", Convert.ToString(value, CultureInfo.InvariantCulture));
        writer.WriteEndObject();
    }
}

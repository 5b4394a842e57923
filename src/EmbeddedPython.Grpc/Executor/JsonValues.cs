using System.Buffers;
using System.Collections;
using System.Globalization;
using System.Numerics;
using System.Text;
using System.Text.Json;
using ProtoStruct = Google.Protobuf.WellKnownTypes.Struct;
using ProtoValue = Google.Protobuf.WellKnownTypes.Value;

namespace EmbeddedPython.Grpc.Executor;

/// <summary>
/// JSON text ⇄ the .NET values the executor converts. Hand-written because System.Text.Json's own
/// object model would turn every number into one type: JSON <c>1</c> must reach Python as int,
/// <c>1.0</c> as float and 2^70 as int, and a Python int beyond 64 bits must come back digit for digit.
/// </summary>
internal static class JsonValues
{
    private const double MaxExactInteger = 9007199254740992d; // 2^53

    /// <summary>Parses a JSON object into preset values; throws <see cref="FormatException"/> naming the problem.</summary>
    public static Dictionary<string, object?> ParseObject(string json, string field = "preset_values_json") =>
        (Dictionary<string, object?>)Parse(json, field, JsonValueKind.Object)!;

    /// <summary>Parses JSON text of the <paramref name="kind"/> asked for (<see cref="JsonValueKind.Undefined"/>: any);
    /// throws <see cref="FormatException"/> naming <paramref name="field"/> and the problem.</summary>
    public static object? Parse(string json, string field, JsonValueKind kind = JsonValueKind.Undefined)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json);
        }
        catch (JsonException e)
        {
            throw new FormatException($"{field} is not valid JSON: {e.Message}", e);
        }
        using (document)
        {
            if (kind != JsonValueKind.Undefined && document.RootElement.ValueKind != kind)
                throw new FormatException($"{field} must be a JSON {kind.ToString().ToLowerInvariant()}, not {document.RootElement.ValueKind}.");
            return FromElement(document.RootElement);
        }
    }

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

    private static object? FromElement(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Object => element.EnumerateObject().ToDictionary(p => p.Name, p => FromElement(p.Value)),
        JsonValueKind.Array => element.EnumerateArray().Select(FromElement).ToList(),
        JsonValueKind.String => element.GetString(),
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        JsonValueKind.Number => FromNumber(element),
        _ => null,
    };

    private static object FromNumber(JsonElement element)
    {
        if (element.TryGetInt64(out var integer))
            return integer;
        var text = element.GetRawText();
        if (!text.AsSpan().ContainsAny('.', 'e', 'E') && BigInteger.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var big))
            return big;
        return element.GetDouble();
    }

    /// <summary>Writes a converted value as JSON; <paramref name="lossy"/> tells whether some part had no JSON form.</summary>
    public static string Write(object? value, out bool lossy)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            lossy = false;
            WriteValue(writer, value, ref lossy, depth: 0);
        }
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>Writes the selected globals as one JSON object, collecting the names that were lossy.</summary>
    public static string WriteObject(IReadOnlyDictionary<string, object?> values, ICollection<string> lossyNames)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
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
        }
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
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

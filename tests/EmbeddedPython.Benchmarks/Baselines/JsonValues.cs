using System.Collections;
using System.Globalization;
using System.Numerics;
using System.Text.Json;

namespace EmbeddedPython.Benchmarks.Baselines;

/// <summary>
/// The .NET side of the worker's JSON encoding, producing the same .NET types the executor returns
/// (long or BigInteger, double, string, bool, null, byte[], List, Dictionary) so that both baselines do
/// the same work as the executor. Bytes travel as <c>{"$bytes": base64}</c>, a convention JSON needs and
/// the executor does not.
/// </summary>
internal static class JsonValues
{
    private const string BytesTag = "$bytes";

    public static void Write(Utf8JsonWriter writer, object? value)
    {
        switch (value)
        {
            case null: writer.WriteNullValue(); break;
            case string s: writer.WriteStringValue(s); break;
            case bool b: writer.WriteBooleanValue(b); break;
            case int i: writer.WriteNumberValue(i); break;
            case long l: writer.WriteNumberValue(l); break;
            case double d: writer.WriteNumberValue(d); break;
            case BigInteger big: writer.WriteRawValue(big.ToString(CultureInfo.InvariantCulture), skipInputValidation: true); break;
            case byte[] bytes:
                writer.WriteStartObject();
                writer.WriteBase64String(BytesTag, bytes);
                writer.WriteEndObject();
                break;
            case IEnumerable<KeyValuePair<string, object?>> pairs:
                writer.WriteStartObject();
                foreach (var (key, item) in pairs)
                {
                    writer.WritePropertyName(key);
                    Write(writer, item);
                }
                writer.WriteEndObject();
                break;
            case IEnumerable<long> longs:
                writer.WriteStartArray();
                foreach (var item in longs)
                    writer.WriteNumberValue(item);
                writer.WriteEndArray();
                break;
            case IEnumerable items:
                writer.WriteStartArray();
                foreach (var item in items)
                    Write(writer, item);
                writer.WriteEndArray();
                break;
            default:
                throw new ArgumentException($"The JSON baseline cannot send a {value.GetType()}.", nameof(value));
        }
    }

    public static object? Read(JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Null: return null;
            case JsonValueKind.True: return true;
            case JsonValueKind.False: return false;
            case JsonValueKind.String: return element.GetString();
            case JsonValueKind.Number: return ReadNumber(element);
            case JsonValueKind.Array:
                var list = new List<object?>(element.GetArrayLength());
                foreach (var item in element.EnumerateArray())
                    list.Add(Read(item));
                return list;
            case JsonValueKind.Object:
                if (element.TryGetProperty(BytesTag, out var bytes) && bytes.ValueKind == JsonValueKind.String)
                    return bytes.GetBytesFromBase64();
                return ReadObject(element);
            default:
                throw new FormatException($"Unexpected JSON value {element.ValueKind}.");
        }
    }

    public static Dictionary<string, object?> ReadObject(JsonElement element)
    {
        var result = new Dictionary<string, object?>();
        foreach (var property in element.EnumerateObject())
            result[property.Name] = Read(property.Value);
        return result;
    }

    // Python writes ints without a point or exponent, of any size; floats always with one.
    private static object ReadNumber(JsonElement element)
    {
        if (element.TryGetInt64(out var l))
            return l;
        var text = element.GetRawText();
        if (text.AsSpan().IndexOfAny('.', 'e', 'E') < 0)
            return BigInteger.Parse(text, CultureInfo.InvariantCulture);
        return element.GetDouble();
    }
}

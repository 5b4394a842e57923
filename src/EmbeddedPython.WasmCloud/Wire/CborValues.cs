using System.Collections;
using System.Formats.Cbor;
using System.Globalization;
using System.Numerics;

namespace EmbeddedPython.WasmCloud.Wire;

/// <summary>
/// CBOR ⇄ the plain .NET values the executor converts to and from Python (spec §6): integers, floats,
/// bool, null, text, byte strings, arrays and maps. Output uses the shortest integer forms and definite
/// lengths, as serde's CBOR writer does.
/// </summary>
internal static class CborValues
{
    private static readonly BigInteger MinValue = long.MinValue;
    private static readonly BigInteger MaxValue = ulong.MaxValue;

    /// <summary>Reads one CBOR item that must fill <paramref name="bytes"/>.</summary>
    /// <exception cref="FormatException">The bytes are not one well-formed CBOR item.</exception>
    public static object? Decode(ReadOnlyMemory<byte> bytes)
    {
        try
        {
            var reader = new CborReader(bytes, CborConformanceMode.Lax, allowMultipleRootLevelValues: false);
            var value = Read(reader);
            if (reader.BytesRemaining > 0)
                throw new FormatException($"{reader.BytesRemaining} bytes follow the CBOR value");
            return value;
        }
        catch (CborContentException e)
        {
            throw new FormatException(e.Message, e);
        }
        catch (InvalidOperationException e)
        {
            throw new FormatException(e.Message, e);
        }
    }

    private static object? Read(CborReader reader)
    {
        switch (reader.PeekState())
        {
            case CborReaderState.UnsignedInteger:
                var unsigned = reader.ReadUInt64();
                return unsigned <= long.MaxValue ? (object)(long)unsigned : new BigInteger(unsigned);
            case CborReaderState.NegativeInteger:
                var encoded = reader.ReadCborNegativeIntegerRepresentation();
                return encoded <= long.MaxValue ? (object)(-1L - (long)encoded) : -BigInteger.One - encoded;
            case CborReaderState.HalfPrecisionFloat:
                return (double)reader.ReadHalf();
            case CborReaderState.SinglePrecisionFloat:
                return (double)reader.ReadSingle();
            case CborReaderState.DoublePrecisionFloat:
                return reader.ReadDouble();
            case CborReaderState.Boolean:
                return reader.ReadBoolean();
            case CborReaderState.Null:
                reader.ReadNull();
                return null;
            case CborReaderState.SimpleValue:
                reader.ReadSimpleValue();
                return null;
            case CborReaderState.TextString:
            case CborReaderState.StartIndefiniteLengthTextString:
                return reader.ReadTextString();
            case CborReaderState.ByteString:
            case CborReaderState.StartIndefiniteLengthByteString:
                return reader.ReadByteString();
            case CborReaderState.StartArray:
                reader.ReadStartArray();
                var list = new List<object?>();
                while (reader.PeekState() != CborReaderState.EndArray)
                    list.Add(Read(reader));
                reader.ReadEndArray();
                return list;
            case CborReaderState.StartMap:
                return ReadMap(reader);
            case CborReaderState.Tag:
                var tag = reader.PeekTag();
                if (tag is CborTag.UnsignedBigNum or CborTag.NegativeBigNum)
                    return reader.ReadBigInteger();
                // Other tags (dates, URIs, …) carry a plain value that serde would also see untagged.
                reader.ReadTag();
                return Read(reader);
            case var state:
                throw new FormatException($"unexpected CBOR item {state}");
        }
    }

    private static object ReadMap(CborReader reader)
    {
        reader.ReadStartMap();
        var map = new Dictionary<string, object?>();
        while (reader.PeekState() != CborReaderState.EndMap)
        {
            var key = Read(reader);
            var text = key switch
            {
                string s => s,
                null => throw new FormatException("a CBOR map key is null"),
                IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
                _ => throw new FormatException($"a CBOR map key must be text or a number, not {key.GetType().Name}"),
            };
            map[text] = Read(reader);
        }
        reader.ReadEndMap();
        return map;
    }

    /// <summary>Writes a value as CBOR.</summary>
    /// <exception cref="NotSupportedException">The value (or something inside it) has no CBOR form here.</exception>
    public static byte[] Encode(object? value)
    {
        var writer = new CborWriter(CborConformanceMode.Lax, convertIndefiniteLengthEncodings: true);
        Write(writer, value, 0);
        return writer.Encode();
    }

    private static void Write(CborWriter writer, object? value, int depth)
    {
        if (depth > 256)
            throw new NotSupportedException("the value is nested more than 256 levels deep");
        switch (value)
        {
            case null: writer.WriteNull(); break;
            case bool b: writer.WriteBoolean(b); break;
            case string s: writer.WriteTextString(s); break;
            case byte[] bytes: writer.WriteByteString(bytes); break;
            case ReadOnlyMemory<byte> memory: writer.WriteByteString(memory.Span); break;
            case long l: writer.WriteInt64(l); break;
            case int i: writer.WriteInt32(i); break;
            case ulong u: writer.WriteUInt64(u); break;
            case uint u: writer.WriteUInt32(u); break;
            case short or ushort or byte or sbyte: writer.WriteInt64(Convert.ToInt64(value, CultureInfo.InvariantCulture)); break;
            case BigInteger big when big >= MinValue && big <= MaxValue:
                if (big.Sign < 0)
                    writer.WriteInt64((long)big);
                else
                    writer.WriteUInt64((ulong)big);
                break;
            case BigInteger big:
                throw new NotSupportedException($"integer {big} does not fit in 64 bits");
            case double d: writer.WriteDouble(d); break;
            case float f: writer.WriteDouble(f); break;
            case decimal m: writer.WriteDouble((double)m); break;
            case DateTimeOffset or DateTime or DateOnly or TimeOnly or Guid:
                writer.WriteTextString(((IFormattable)value).ToString(value is Guid ? "D" : "O", CultureInfo.InvariantCulture));
                break;
            case IDictionary map:
                writer.WriteStartMap(map.Count);
                foreach (DictionaryEntry entry in map)
                {
                    writer.WriteTextString(Convert.ToString(entry.Key, CultureInfo.InvariantCulture) ?? "");
                    Write(writer, entry.Value, depth + 1);
                }
                writer.WriteEndMap();
                break;
            case IEnumerable items:
                var list = items as ICollection ?? items.Cast<object?>().ToList();
                writer.WriteStartArray(list.Count);
                foreach (var item in list)
                    Write(writer, item, depth + 1);
                writer.WriteEndArray();
                break;
            default:
                throw new NotSupportedException($"a {value.GetType().Name} has no CBOR form");
        }
    }
}

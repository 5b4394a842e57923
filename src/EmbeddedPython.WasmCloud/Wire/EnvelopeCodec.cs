using System.Buffers;
using MessagePack;

namespace EmbeddedPython.WasmCloud.Wire;

/// <summary>
/// msgpack form of the wasmbus 0.x envelopes, as Rust's rmp_serde writes them in "named" mode (spec §5):
/// structs are maps keyed by field name, absent optionals are omitted, byte fields are bin. Reading is
/// lenient the way the spec asks: any key order, unknown keys skipped, missing keys defaulted, the
/// positional (array) form accepted, and byte fields also taken from str or an array of small ints.
/// Built on MessagePack's reader/writer primitives because the envelopes' leniency rules (positional
/// form, three encodings of one byte field) are not what its attribute-driven serializer offers.
/// </summary>
internal static class EnvelopeCodec
{
    private static readonly string[] InvocationFields = ["origin", "target", "operation", "msg", "id", "encoded_claims", "host_id", "content_length", "traceContext"];
    private static readonly string[] EntityFields = ["public_key", "link_name", "contract_id"];
    private static readonly string[] ResponseFields = ["msg", "invocation_id", "error", "content_length"];
    private static readonly string[] LinkFields = ["actor_id", "provider_id", "link_name", "contract_id", "values"];

    public static Invocation DecodeInvocation(ReadOnlyMemory<byte> bytes)
    {
        var reader = new MessagePackReader(bytes);
        WasmCloudEntity origin = WasmCloudEntity.Empty, target = WasmCloudEntity.Empty;
        string operation = "", id = "", claims = "", hostId = "";
        byte[] message = [];
        ulong? contentLength = null;
        Dictionary<string, string>? trace = null;
        ReadStruct(ref reader, InvocationFields, "Invocation", (ref MessagePackReader r, string field) =>
        {
            switch (field)
            {
                case "origin": origin = ReadEntity(ref r); break;
                case "target": target = ReadEntity(ref r); break;
                case "operation": operation = ReadText(ref r); break;
                case "msg": message = ReadByteField(ref r); break;
                case "id": id = ReadText(ref r); break;
                case "encoded_claims": claims = ReadText(ref r); break;
                case "host_id": hostId = ReadText(ref r); break;
                case "content_length": contentLength = r.TryReadNil() ? null : r.ReadUInt64(); break;
                case "traceContext": trace = ReadStringMap(ref r); break;
                default: r.Skip(); break;
            }
        });
        return new Invocation(origin, target, operation, message, id, claims, hostId, contentLength, trace);
    }

    public static byte[] EncodeInvocation(Invocation invocation) => Write((ref MessagePackWriter writer) =>
    {
        writer.WriteMapHeader(7 + (invocation.ContentLength is null ? 0 : 1) + (invocation.TraceContext is null ? 0 : 1));
        writer.Write("origin");
        WriteEntity(ref writer, invocation.Origin);
        writer.Write("target");
        WriteEntity(ref writer, invocation.Target);
        writer.Write("operation");
        writer.Write(invocation.Operation);
        writer.Write("msg");
        writer.Write(invocation.Message.AsSpan());
        writer.Write("id");
        writer.Write(invocation.Id);
        writer.Write("encoded_claims");
        writer.Write(invocation.EncodedClaims);
        writer.Write("host_id");
        writer.Write(invocation.HostId);
        if (invocation.ContentLength is { } length)
        {
            writer.Write("content_length");
            writer.Write(length);
        }
        if (invocation.TraceContext is { } trace)
        {
            writer.Write("traceContext");
            WriteStringMap(ref writer, trace);
        }
    });

    public static InvocationResponse DecodeResponse(ReadOnlyMemory<byte> bytes)
    {
        var reader = new MessagePackReader(bytes);
        byte[] message = [];
        string invocationId = "";
        string? error = null;
        ulong? contentLength = null;
        ReadStruct(ref reader, ResponseFields, "InvocationResponse", (ref MessagePackReader r, string field) =>
        {
            switch (field)
            {
                case "msg": message = ReadByteField(ref r); break;
                case "invocation_id": invocationId = ReadText(ref r); break;
                case "error": error = r.TryReadNil() ? null : r.ReadString(); break;
                case "content_length": contentLength = r.TryReadNil() ? null : r.ReadUInt64(); break;
                default: r.Skip(); break;
            }
        });
        return new InvocationResponse(message, invocationId, error, contentLength);
    }

    public static byte[] EncodeResponse(InvocationResponse response) => Write((ref MessagePackWriter writer) =>
    {
        writer.WriteMapHeader(2 + (response.Error is null ? 0 : 1) + (response.ContentLength is null ? 0 : 1));
        writer.Write("msg");
        writer.Write(response.Message.AsSpan());
        writer.Write("invocation_id");
        writer.Write(response.InvocationId);
        if (response.Error is { } error)
        {
            writer.Write("error");
            writer.Write(error);
        }
        if (response.ContentLength is { } length)
        {
            writer.Write("content_length");
            writer.Write(length);
        }
    });

    public static LinkDefinition DecodeLink(ReadOnlyMemory<byte> bytes)
    {
        var reader = new MessagePackReader(bytes);
        string actor = "", provider = "", linkName = "", contract = "";
        IReadOnlyDictionary<string, string> values = new Dictionary<string, string>();
        ReadStruct(ref reader, LinkFields, "LinkDefinition", (ref MessagePackReader r, string field) =>
        {
            switch (field)
            {
                case "actor_id": actor = ReadText(ref r); break;
                case "provider_id": provider = ReadText(ref r); break;
                case "link_name": linkName = ReadText(ref r); break;
                case "contract_id": contract = ReadText(ref r); break;
                case "values": values = ReadStringMap(ref r) ?? new Dictionary<string, string>(); break;
                default: r.Skip(); break;
            }
        });
        return new LinkDefinition(actor, provider, linkName, contract, values);
    }

    public static byte[] EncodeLink(LinkDefinition link) => Write((ref MessagePackWriter writer) =>
    {
        writer.WriteMapHeader(5);
        writer.Write("actor_id");
        writer.Write(link.ActorId);
        writer.Write("provider_id");
        writer.Write(link.ProviderId);
        writer.Write("link_name");
        writer.Write(link.LinkName);
        writer.Write("contract_id");
        writer.Write(link.ContractId);
        writer.Write("values");
        WriteStringMap(ref writer, link.Values);
    });

    public static byte[] EncodeHealth(HealthCheckResponse health) => Write((ref MessagePackWriter writer) =>
    {
        writer.WriteMapHeader(health.Message is null ? 1 : 2);
        writer.Write("healthy");
        writer.Write(health.Healthy);
        if (health.Message is { } message)
        {
            writer.Write("message");
            writer.Write(message);
        }
    });

    public static HealthCheckResponse DecodeHealth(ReadOnlyMemory<byte> bytes)
    {
        var reader = new MessagePackReader(bytes);
        bool healthy = false;
        string? message = null;
        ReadStruct(ref reader, ["healthy", "message"], "HealthCheckResponse", (ref MessagePackReader r, string field) =>
        {
            switch (field)
            {
                case "healthy": healthy = !r.TryReadNil() && r.ReadBoolean(); break;
                case "message": message = r.TryReadNil() ? null : r.ReadString(); break;
                default: r.Skip(); break;
            }
        });
        return new HealthCheckResponse(healthy, message);
    }

    private delegate void FieldReader(ref MessagePackReader reader, string field);

    private delegate void Writing(ref MessagePackWriter writer);

    private static byte[] Write(Writing write)
    {
        var buffer = new ArrayBufferWriter<byte>();
        var writer = new MessagePackWriter(buffer);
        write(ref writer);
        writer.Flush();
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Reads a struct in either of rmp_serde's forms: a map of named fields or a positional array.</summary>
    private static void ReadStruct(ref MessagePackReader reader, string[] positional, string typeName, FieldReader readField)
    {
        try
        {
            switch (reader.NextMessagePackType)
            {
                case MessagePackType.Map:
                    var fields = reader.ReadMapHeader();
                    for (var i = 0; i < fields; i++)
                    {
                        if (reader.NextMessagePackType != MessagePackType.String)
                        {
                            reader.Skip();
                            reader.Skip();
                            continue;
                        }
                        readField(ref reader, reader.ReadString()!);
                    }
                    break;
                case MessagePackType.Array:
                    var count = reader.ReadArrayHeader();
                    for (var i = 0; i < count; i++)
                    {
                        if (i < positional.Length)
                            readField(ref reader, positional[i]);
                        else
                            reader.Skip();
                    }
                    break;
                default:
                    throw new FormatException($"{typeName}: expected a msgpack map or array, found {reader.NextMessagePackType}");
            }
        }
        catch (Exception e) when (e is MessagePackSerializationException or EndOfStreamException or InvalidOperationException or OverflowException)
        {
            throw new FormatException($"{typeName}: {e.Message}", e);
        }
    }

    private static WasmCloudEntity ReadEntity(ref MessagePackReader reader)
    {
        if (reader.TryReadNil())
            return WasmCloudEntity.Empty;
        string key = "", link = "", contract = "";
        ReadStruct(ref reader, EntityFields, "WasmCloudEntity", (ref MessagePackReader r, string field) =>
        {
            switch (field)
            {
                case "public_key": key = ReadText(ref r); break;
                case "link_name": link = ReadText(ref r); break;
                case "contract_id": contract = ReadText(ref r); break;
                default: r.Skip(); break;
            }
        });
        return new WasmCloudEntity(key, link, contract);
    }

    private static void WriteEntity(ref MessagePackWriter writer, WasmCloudEntity entity)
    {
        writer.WriteMapHeader(3);
        writer.Write("public_key");
        writer.Write(entity.PublicKey);
        writer.Write("link_name");
        writer.Write(entity.LinkName);
        writer.Write("contract_id");
        writer.Write(entity.ContractId);
    }

    private static string ReadText(ref MessagePackReader reader) => reader.TryReadNil() ? "" : reader.ReadString() ?? "";

    /// <summary>Byte fields are bin on the wire; str and arrays of small ints are tolerated (spec §5).</summary>
    private static byte[] ReadByteField(ref MessagePackReader reader)
    {
        switch (reader.NextMessagePackType)
        {
            case MessagePackType.Nil:
                reader.ReadNil();
                return [];
            case MessagePackType.Binary:
                return reader.ReadBytes()?.ToArray() ?? [];
            case MessagePackType.String:
                return reader.ReadStringSequence()?.ToArray() ?? [];
            case MessagePackType.Array:
                var bytes = new byte[reader.ReadArrayHeader()];
                for (var i = 0; i < bytes.Length; i++)
                    bytes[i] = reader.ReadByte();
                return bytes;
            default:
                throw new FormatException($"a byte field must be bin, str or an array of bytes, found {reader.NextMessagePackType}");
        }
    }

    private static Dictionary<string, string>? ReadStringMap(ref MessagePackReader reader)
    {
        if (reader.TryReadNil())
            return null;
        var count = reader.ReadMapHeader();
        var map = new Dictionary<string, string>(count);
        for (var i = 0; i < count; i++)
        {
            var key = ReadText(ref reader);
            map[key] = ReadText(ref reader);
        }
        return map;
    }

    private static void WriteStringMap(ref MessagePackWriter writer, IReadOnlyDictionary<string, string> map)
    {
        writer.WriteMapHeader(map.Count);
        foreach (var (key, value) in map)
        {
            writer.Write(key);
            writer.Write(value);
        }
    }
}

using System.Buffers;
using EmbeddedPython.WasmCloud.Wire;
using MessagePack;

namespace EmbeddedPython.WasmCloud.Tests.Wire;

public sealed class EnvelopeCodecTests
{
    private static readonly WasmCloudEntity Actor = new("MACTOR", "", "");
    private static readonly WasmCloudEntity Provider = new("VPROVIDER", "default", "wasmcloud:example:python");

    [Fact]
    public void An_invocation_survives_a_round_trip_with_its_optional_fields()
    {
        var invocation = new Invocation(Actor, Provider, "Python.factorial", [0x7f, 0x0a], "id-1", "a.b.c", "NHOST", 2,
            new Dictionary<string, string> { ["traceparent"] = "00-1" });
        var back = EnvelopeCodec.DecodeInvocation(EnvelopeCodec.EncodeInvocation(invocation));
        Assert.Equal(invocation with { Message = back.Message, TraceContext = back.TraceContext }, back);
        Assert.Equal(invocation.Message, back.Message);
        Assert.Equal("00-1", back.TraceContext!["traceparent"]);
    }

    [Fact]
    public void Invocation_keys_are_read_in_any_order_and_unknown_ones_are_skipped()
    {
        var bytes = Write((ref MessagePackWriter w) =>
        {
            w.WriteMapHeader(5);
            w.Write("unknown_future_field");
            w.WriteArrayHeader(2);
            w.Write(1);
            w.Write("x");
            w.Write("operation");
            w.Write("hello");
            w.Write("target");
            // The OTP host's key order: public_key, contract_id, link_name.
            w.WriteMapHeader(3);
            w.Write("public_key");
            w.Write("VPROVIDER");
            w.Write("contract_id");
            w.Write("wasmcloud:example:python");
            w.Write("link_name");
            w.Write("default");
            w.Write("msg");
            w.Write("\u007fa"u8);
            w.Write("id");
            w.Write("abc");
        });
        var invocation = EnvelopeCodec.DecodeInvocation(bytes);
        Assert.Equal("hello", invocation.Operation);
        Assert.Equal(Provider, invocation.Target);
        Assert.Equal("abc", invocation.Id);
        Assert.Equal(WasmCloudEntity.Empty, invocation.Origin);
        Assert.Null(invocation.ContentLength);
    }

    [Fact]
    public void An_invocation_in_positional_form_is_read()
    {
        var bytes = Write((ref MessagePackWriter w) =>
        {
            w.WriteArrayHeader(7);
            w.WriteArrayHeader(3);
            w.Write("MACTOR");
            w.Write("");
            w.Write("");
            w.WriteArrayHeader(3);
            w.Write("VPROVIDER");
            w.Write("default");
            w.Write("wasmcloud:example:python");
            w.Write("f.factorial");
            w.Write(new byte[] { 0x7f, 0x0a });
            w.Write("id-2");
            w.Write("claims");
            w.Write("NHOST");
        });
        var invocation = EnvelopeCodec.DecodeInvocation(bytes);
        Assert.Equal(Actor, invocation.Origin);
        Assert.Equal(Provider, invocation.Target);
        Assert.Equal("f.factorial", invocation.Operation);
        Assert.Equal(new byte[] { 0x7f, 0x0a }, invocation.Message);
        Assert.Equal("NHOST", invocation.HostId);
    }

    [Fact]
    public void A_byte_field_is_also_accepted_as_text_or_an_array_of_small_ints()
    {
        byte[] Message(WriteAction writeMsg) => EnvelopeCodec.DecodeInvocation(Write((ref MessagePackWriter w) =>
        {
            w.WriteMapHeader(1);
            w.Write("msg");
            writeMsg(ref w);
        })).Message;

        Assert.Equal("abc"u8.ToArray(), Message((ref MessagePackWriter w) => w.Write("abc")));
        Assert.Equal(new byte[] { 127, 10 }, Message((ref MessagePackWriter w) =>
        {
            w.WriteArrayHeader(2);
            w.Write(127);
            w.Write(10);
        }));
    }

    [Fact]
    public void A_successful_response_has_no_error_key_and_a_failed_one_has_empty_msg()
    {
        var ok = EnvelopeCodec.EncodeResponse(new InvocationResponse([0x0a], "id", null, 1));
        Assert.Equal(["msg", "invocation_id", "content_length"], Keys(ok));
        var failed = EnvelopeCodec.DecodeResponse(EnvelopeCodec.EncodeResponse(InvocationResponse.Failure("id", "boom")));
        Assert.Equal(("boom", "id", 0), (failed.Error, failed.InvocationId, failed.Message.Length));
    }

    [Fact]
    public void A_link_definition_survives_a_round_trip_in_msgpack_and_json()
    {
        var link = new LinkDefinition("MACTOR", "VPROVIDER", "default", "wasmcloud:example:python", new Dictionary<string, string> { ["k"] = "v" });
        var fromMsgpack = EnvelopeCodec.DecodeLink(EnvelopeCodec.EncodeLink(link));
        var fromJson = JsonEnvelopes.ParseLink(JsonEnvelopes.WriteLink(link));
        foreach (var back in new[] { fromMsgpack, fromJson })
        {
            Assert.Equal((link.ActorId, link.ProviderId, link.LinkName, link.ContractId), (back.ActorId, back.ProviderId, back.LinkName, back.ContractId));
            Assert.Equal("v", back.Values["k"]);
        }
    }

    [Theory]
    [InlineData("C3")]
    [InlineData("81A26F70")]
    [InlineData("DC")]
    public void Bytes_that_are_not_an_invocation_are_a_format_error_naming_the_type(string hex)
    {
        var error = Assert.Throws<FormatException>(() => EnvelopeCodec.DecodeInvocation(Convert.FromHexString(hex)));
        Assert.StartsWith("Invocation", error.Message);
    }

    private delegate void WriteAction(ref MessagePackWriter writer);

    private static byte[] Write(WriteAction write)
    {
        var buffer = new ArrayBufferWriter<byte>();
        var writer = new MessagePackWriter(buffer);
        write(ref writer);
        writer.Flush();
        return buffer.WrittenSpan.ToArray();
    }

    private static List<string> Keys(byte[] map)
    {
        var reader = new MessagePackReader(map);
        var keys = new List<string>();
        var count = reader.ReadMapHeader();
        for (var i = 0; i < count; i++)
        {
            keys.Add(reader.ReadString()!);
            reader.Skip();
        }
        return keys;
    }
}

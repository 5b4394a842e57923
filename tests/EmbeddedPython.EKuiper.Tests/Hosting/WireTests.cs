using System.Buffers.Binary;
using System.Net.Sockets;
using System.Text;

namespace EmbeddedPython.EKuiper.Tests.Hosting;

/// <summary>The control channel's bytes seen on a raw UNIX socket (spec §5.2–§5.6), and eKuiper's command encoding (§6.1).</summary>
[Collection(PluginHostCollection.Name)]
public sealed class WireTests(PluginHostFixture fixture)
{
    [Fact]
    public async Task The_control_channel_sends_the_sp_header_and_a_handshake_frame_then_answers_a_command_with_the_next_request_id()
    {
        const string path = "/tmp/plugin_rawwire.ipc";
        File.Delete(path);
        using var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(path));
        listener.Listen();
        await fixture.PluginHost.RunPluginAsync(PluginHostFixture.Plugin("rawwire"));
        using var connection = await listener.AcceptAsync().WaitAsync(TimeSpan.FromSeconds(10));
        using var stream = new NetworkStream(connection);

        await stream.WriteAsync(new byte[] { 0x00, 0x53, 0x50, 0x00, 0x00, 0x31, 0x00, 0x00 }); // REP
        Assert.Equal(Convert.FromHexString("0053500000300000"), await ReadAsync(stream, 8));     // REQ

        var (id, body) = await ReadRequestAsync(stream);
        Assert.True((id & 0x8000_0000) != 0, "request ids have the top bit set");
        Assert.Equal("handshake", body);

        var command = Encoding.UTF8.GetBytes(FakeEKuiper.FakeEKuiper.Command("stop", "x", "source", "r", "o", 0));
        var reply = new byte[9 + 4 + command.Length];
        reply[0] = 1;
        BinaryPrimitives.WriteUInt64BigEndian(reply.AsSpan(1), (ulong)(4 + command.Length));
        BinaryPrimitives.WriteUInt32BigEndian(reply.AsSpan(9), id);
        command.CopyTo(reply, 13);
        await stream.WriteAsync(reply);

        var (nextId, answer) = await ReadRequestAsync(stream);
        Assert.Equal(id + 1, nextId);
        Assert.Equal("ok", answer);
    }

    [Fact]
    public void Commands_are_encoded_as_ekuipers_plugin_instance_test_expects()
    {
        Assert.Equal(
            "{\"cmd\":\"start\",\"arg\":\"{\\\"symbolName\\\":\\\"symbol1\\\",\\\"meta\\\":{\\\"ruleId\\\":\\\"rule1\\\",\\\"opId\\\":\\\"op1\\\",\\\"instanceId\\\":0},\\\"pluginType\\\":\\\"sources\\\",\\\"dataSource\\\":\\\"topic\\\",\\\"config\\\":{\\\"abc\\\":1}}\"}",
            FakeEKuiper.FakeEKuiper.Command("start", "symbol1", "sources", "rule1", "op1", 0, new { abc = 1 }, "topic"));
        Assert.Equal(
            "{\"cmd\":\"stop\",\"arg\":\"{\\\"symbolName\\\":\\\"symbol2\\\",\\\"meta\\\":{\\\"ruleId\\\":\\\"rule1\\\",\\\"opId\\\":\\\"op2\\\",\\\"instanceId\\\":0},\\\"pluginType\\\":\\\"functions\\\"}\"}",
            FakeEKuiper.FakeEKuiper.Command("stop", "symbol2", "functions", "rule1", "op2", 0));
    }

    // One frame: type byte 1, u64 big-endian length, then the 4-byte request id and the body.
    private static async Task<(uint Id, string Body)> ReadRequestAsync(Stream stream)
    {
        var head = await ReadAsync(stream, 9);
        Assert.Equal(1, head[0]);
        var length = (int)BinaryPrimitives.ReadUInt64BigEndian(head.AsSpan(1));
        var frame = await ReadAsync(stream, length);
        return (BinaryPrimitives.ReadUInt32BigEndian(frame), Encoding.UTF8.GetString(frame, 4, length - 4));
    }

    private static async Task<byte[]> ReadAsync(Stream stream, int count)
    {
        var buffer = new byte[count];
        await stream.ReadExactlyAsync(buffer).AsTask().WaitAsync(TimeSpan.FromSeconds(10));
        return buffer;
    }
}

using System.Buffers.Binary;
using System.Net.Sockets;

namespace EmbeddedPython.EKuiper.Protocol.Ipc;

/// <summary>nng's SP-over-IPC wire for the push/pull data channels (spec §5.1–§5.3, §5.5): an 8-byte header
/// each way after connecting (<c>00 'S' 'P' 00</c>, the sender's protocol, <c>00 00</c>), then frames of a type
/// byte 1, a big-endian u64 length and the body (push/pull add no protocol header).</summary>
internal static class SpWire
{
    public const ushort Push = 0x50;
    public const ushort Pull = 0x51;
    public const int HeaderLength = 8;
    public const int FramePrefixLength = 9;

    // nng gives the header exchange 10 s.
    private static readonly TimeSpan Negotiation = TimeSpan.FromSeconds(10);

    /// <summary>Sends this side's header and checks the peer's: it must speak <paramref name="peer"/>.</summary>
    public static void Negotiate(Socket socket, ushort self, ushort peer)
    {
        Span<byte> header = stackalloc byte[HeaderLength];
        header.Clear();
        header[1] = (byte)'S';
        header[2] = (byte)'P';
        BinaryPrimitives.WriteUInt16BigEndian(header[4..], self);
        socket.Send(header);
        socket.ReceiveTimeout = (int)Negotiation.TotalMilliseconds;
        var read = 0;
        while (read < HeaderLength)
        {
            var got = socket.Receive(header[read..]);
            if (got == 0)
                throw new IOException("the peer closed the connection during the SP header exchange");
            read += got;
        }
        socket.ReceiveTimeout = 0;
        var protocol = BinaryPrimitives.ReadUInt16BigEndian(header[4..]);
        if (header[0] != 0 || header[1] != 'S' || header[2] != 'P' || header[3] != 0 || header[6] != 0 || header[7] != 0 || protocol != peer)
            throw new IOException($"the peer sent SP header {Convert.ToHexString(header)}, expected protocol 0x{peer:x4}");
    }

    /// <summary>Writes the frame prefix of a body of <paramref name="length"/> bytes.</summary>
    public static void WritePrefix(Span<byte> destination, int length)
    {
        destination[0] = 1;
        BinaryPrimitives.WriteUInt64BigEndian(destination[1..], (ulong)length);
    }

    /// <summary>The filesystem path of an <c>ipc://</c> URL.</summary>
    public static string PathOf(string url) =>
        url.StartsWith("ipc://", StringComparison.Ordinal) ? url["ipc://".Length..] : throw new ArgumentException($"{url} is not an ipc:// URL");
}

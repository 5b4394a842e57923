using System.Runtime.InteropServices;

namespace EmbeddedPython.EKuiper.Protocol.Nng;

/// <summary>
/// One nng socket. Thread-safe like nng itself: a blocked <see cref="Receive"/> on one thread returns
/// <see cref="NngException"/> "closed" when another thread disposes the socket, which is how channels stop.
/// </summary>
public sealed class NngSocket : IDisposable
{
    private readonly uint _id;
    private int _closed;

    private NngSocket(uint id, NngProtocol protocol)
    {
        _id = id;
        Protocol = protocol;
    }

    /// <summary>The protocol this socket speaks.</summary>
    public NngProtocol Protocol { get; }

    /// <summary>Opens a socket. <c>recv-size-max</c> is 0 (unlimited) from the start: eKuiper payloads have no size limit (spec §7 #11).</summary>
    /// <exception cref="DllNotFoundException">libnng.so.1 is not installed (Debian package libnng1).</exception>
    public static NngSocket Open(NngProtocol protocol)
    {
        int error;
        uint id;
        try
        {
            error = protocol switch
            {
                NngProtocol.Req => NngNative.nng_req0_open(out id),
                NngProtocol.Rep => NngNative.nng_rep0_open(out id),
                NngProtocol.Push => NngNative.nng_push0_open(out id),
                NngProtocol.Pull => NngNative.nng_pull0_open(out id),
                _ => throw new ArgumentOutOfRangeException(nameof(protocol), protocol, "Unknown nng protocol."),
            };
        }
        catch (DllNotFoundException e)
        {
            throw new DllNotFoundException("libnng.so.1 could not be loaded; install the Debian package libnng1 (apt-get install libnng1).", e);
        }
        Check(error, $"open {protocol} socket");
        var socket = new NngSocket(id, protocol);
        socket.SetSize("recv-size-max", 0);
        return socket;
    }

    /// <summary>The version of the loaded libnng, e.g. "1.5.2".</summary>
    public static string LibraryVersion => Marshal.PtrToStringUTF8(NngNative.nng_version()) ?? "";

    /// <summary>Receive deadline (<c>recv-timeout</c>); <see cref="Timeout.InfiniteTimeSpan"/> for none.</summary>
    public TimeSpan ReceiveTimeout { set => SetMilliseconds("recv-timeout", value); }

    /// <summary>Send deadline (<c>send-timeout</c>); <see cref="Timeout.InfiniteTimeSpan"/> for none.</summary>
    public TimeSpan SendTimeout { set => SetMilliseconds("send-timeout", value); }

    /// <summary>REQ only: automatic resend of an unanswered request (<c>req:resend-time</c>); zero turns it off,
    /// which eKuiper's channels need (a resent result would be read as the answer to the next command).</summary>
    public TimeSpan ResendTime { set => SetMilliseconds("req:resend-time", value); }

    /// <summary>Shortest wait before a dialer reconnects (<c>reconnect-time-min</c>).</summary>
    public TimeSpan ReconnectTimeMin { set => SetMilliseconds("reconnect-time-min", value); }

    /// <summary>Longest wait before a dialer reconnects (<c>reconnect-time-max</c>).</summary>
    public TimeSpan ReconnectTimeMax { set => SetMilliseconds("reconnect-time-max", value); }

    /// <summary>Dials <paramref name="url"/>. Blocking: fails at once when nobody listens. Not blocking: nng keeps
    /// trying in the background, and reconnects after a drop in both cases.</summary>
    public void Dial(string url, bool blocking = true) =>
        Check(NngNative.nng_dial(_id, url, 0, blocking ? 0 : NngNative.FlagNonBlock), $"dial {url}");

    /// <summary>Listens on <paramref name="url"/> (a stale ipc socket file is removed by nng).</summary>
    public void Listen(string url) => Check(NngNative.nng_listen(_id, url, 0, 0), $"listen on {url}");

    /// <summary>Sends one message, waiting up to the send timeout.</summary>
    public unsafe void Send(ReadOnlySpan<byte> message)
    {
        fixed (byte* data = message)
            Check(NngNative.nng_send(_id, data, (nuint)message.Length, 0), "send");
    }

    /// <summary>Receives one message, waiting up to the receive timeout.</summary>
    public byte[] Receive() => ReceiveCore(0)!;

    /// <summary>Receives one message if one is waiting; null otherwise.</summary>
    public byte[]? TryReceive() => ReceiveCore(NngNative.FlagNonBlock);

    private byte[]? ReceiveCore(int flags)
    {
        nuint length = 0;
        var error = NngNative.nng_recv(_id, out var buffer, ref length, NngNative.FlagAlloc | flags);
        if (error == (int)NngError.TryAgain && flags != 0)
            return null;
        Check(error, "receive");
        try
        {
            var message = new byte[(int)length];
            Marshal.Copy(buffer, message, 0, message.Length);
            return message;
        }
        finally
        {
            NngNative.nng_free(buffer, length);
        }
    }

    /// <summary>Closes the socket; blocked calls on other threads return "closed". Safe to call twice.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _closed, 1) == 0)
            NngNative.nng_close(_id);
    }

    private void SetMilliseconds(string option, TimeSpan value) =>
        Check(NngNative.nng_socket_set_ms(_id, option, value == Timeout.InfiniteTimeSpan ? -1 : checked((int)value.TotalMilliseconds)), $"set {option}");

    private void SetSize(string option, nuint value) => Check(NngNative.nng_socket_set_size(_id, option, value), $"set {option}");

    private static void Check(int error, string operation)
    {
        if (error != 0)
            throw new NngException(error, operation);
    }
}

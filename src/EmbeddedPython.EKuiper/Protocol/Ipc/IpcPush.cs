using System.Net.Sockets;

namespace EmbeddedPython.EKuiper.Protocol.Ipc;

/// <summary>
/// The push end of a data channel, dialing eKuiper's pull listener (a source's tuples, a sink's acks). A send
/// is one write on the UNIX socket from the sending thread: no library thread sits between the Python thread and
/// eKuiper. It blocks while eKuiper does not read (the kernel's buffer is full), re-dials when the connection
/// dropped (as nng's dialer does), and fails only once the channel is closed.
/// </summary>
internal sealed class IpcPush : IDisposable
{
    private static readonly TimeSpan Redial = TimeSpan.FromMilliseconds(100);

    private readonly string _path;
    private readonly object _sending = new();
    private byte[] _frame = new byte[512];
    private Socket? _socket;
    private volatile bool _disposed;

    private IpcPush(string url) => _path = SpWire.PathOf(url);

    /// <summary>Dials <paramref name="url"/> the way the SDK does (a blocking dial, retried
    /// <paramref name="attempts"/> times <paramref name="pause"/> apart); throws when nobody listens.</summary>
    public static IpcPush Dial(string url, int attempts, TimeSpan pause)
    {
        var push = new IpcPush(url);
        for (var i = 1; ; i++)
        {
            try
            {
                push._socket = push.Connect();
                return push;
            }
            catch (Exception e) when (e is SocketException or IOException && i < attempts)
            {
                Thread.Sleep(pause);
            }
            catch (Exception e) when (e is SocketException or IOException)
            {
                throw new IOException($"dial {url}: {e.Message}", e);
            }
        }
    }

    /// <summary>Sends one message; false once the channel is closed.</summary>
    public bool Send(ReadOnlySpan<byte> payload)
    {
        lock (_sending)
        {
            var length = SpWire.FramePrefixLength + payload.Length;
            if (_frame.Length < length)
                _frame = new byte[Math.Max(length, _frame.Length * 2)];
            SpWire.WritePrefix(_frame, payload.Length);
            payload.CopyTo(_frame.AsSpan(SpWire.FramePrefixLength));
            while (!_disposed)
            {
                try
                {
                    var socket = _socket ??= Connect();
                    for (var sent = 0; sent < length;)
                        sent += socket.Send(_frame, sent, length - sent, SocketFlags.None);
                    return true;
                }
                catch (Exception e) when (e is SocketException or IOException or ObjectDisposedException)
                {
                    // eKuiper went away (a rule stop, a restart): dial again until it is back or we are closed.
                    Interlocked.Exchange(ref _socket, null)?.Dispose();
                    if (!_disposed)
                        Thread.Sleep(Redial);
                }
            }
            return false;
        }
    }

    private Socket Connect()
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            socket.Connect(new UnixDomainSocketEndPoint(_path));
            SpWire.Negotiate(socket, SpWire.Push, SpWire.Pull);
            if (_disposed)
                throw new ObjectDisposedException(nameof(IpcPush));
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Closes the channel; a send blocked on another thread returns false.</summary>
    public void Dispose()
    {
        _disposed = true;
        Interlocked.Exchange(ref _socket, null)?.Dispose();
    }
}

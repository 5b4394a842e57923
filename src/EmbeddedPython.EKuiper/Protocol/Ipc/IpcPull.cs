using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Net.Sockets;

namespace EmbeddedPython.EKuiper.Protocol.Ipc;

/// <summary>
/// The pull end of a sink's data channel, listening for eKuiper's push dialer. The receiving thread reads the
/// UNIX socket itself, so a message wakes the thread that waits for it and no other. Connections are accepted
/// (and their SP headers exchanged) by a thread of their own at once, as nng's listener does: eKuiper's first
/// dial completes even while the sink's <c>open</c> still runs. eKuiper dials one pipe per sink; pipes are read
/// one after the other, the next when the current one drops (eKuiper's dialer reconnects after a restart).
/// </summary>
internal sealed class IpcPull : IDisposable
{
    private readonly Socket _listener;
    private readonly string _url;
    private readonly BlockingCollection<Socket> _pipes = new();
    private readonly CancellationTokenSource _closed = new();
    private Socket? _pipe;
    private byte[] _buffer = new byte[64 * 1024];
    private int _start;
    private int _end;
    private volatile bool _disposed;

    private IpcPull(string url, Socket listener)
    {
        _url = url;
        _listener = listener;
        new Thread(AcceptPipes) { IsBackground = true, Name = "ekuiper accept " + url }.Start();
    }

    /// <summary>Listens on <paramref name="url"/>, retried <paramref name="attempts"/> times
    /// <paramref name="pause"/> apart as the SDK does; a stale socket file nobody answers on is removed first.</summary>
    public static IpcPull Listen(string url, int attempts, TimeSpan pause)
    {
        var path = SpWire.PathOf(url);
        for (var i = 1; ; i++)
        {
            var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            try
            {
                RemoveStale(path);
                listener.Bind(new UnixDomainSocketEndPoint(path));
                listener.Listen(128);
                return new IpcPull(url, listener);
            }
            catch (Exception e) when (e is SocketException or IOException)
            {
                listener.Dispose();
                if (i >= attempts)
                    throw new IOException($"listen on {url}: {e.Message}", e);
                Thread.Sleep(pause);
            }
        }
    }

    // As nng's listener: a socket file with nobody behind it is left over from a process that died.
    private static void RemoveStale(string path)
    {
        if (!File.Exists(path))
            return;
        using var probe = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            probe.Connect(new UnixDomainSocketEndPoint(path));
        }
        catch (SocketException)
        {
            File.Delete(path);
            return;
        }
        throw new IOException($"address in use: another process listens on {path}");
    }

    /// <summary>The next message, waiting as long as it takes; null once the channel is closed.</summary>
    public byte[]? Receive()
    {
        while (!_disposed)
        {
            try
            {
                _pipe ??= _pipes.Take(_closed.Token);
                Fill(SpWire.FramePrefixLength);
                if (_buffer[_start] != 1)
                    throw new IOException($"frame type {_buffer[_start]} on {_url}, expected 1");
                var length = BinaryPrimitives.ReadUInt64BigEndian(_buffer.AsSpan(_start + 1));
                if (length > int.MaxValue - SpWire.FramePrefixLength)
                    throw new IOException($"frame of {length} bytes on {_url}");
                _start += SpWire.FramePrefixLength;
                Fill((int)length);
                var message = _buffer.AsSpan(_start, (int)length).ToArray();
                _start += (int)length;
                return message;
            }
            catch (OperationCanceledException)
            {
                return null;
            }
            catch (Exception e) when (e is SocketException or IOException or ObjectDisposedException)
            {
                // The pipe ended: wait for eKuiper's next one.
                Interlocked.Exchange(ref _pipe, null)?.Dispose();
                _start = _end = 0;
            }
        }
        return null;
    }

    private void AcceptPipes()
    {
        while (!_disposed)
        {
            Socket pipe;
            try
            {
                pipe = _listener.Accept();
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                if (!_disposed)
                    Thread.Sleep(50);
                continue;
            }
            try
            {
                // A peer that is not a push (or never finishes its header) is dropped, as nng does.
                SpWire.Negotiate(pipe, SpWire.Pull, SpWire.Push);
                _pipes.Add(pipe, _closed.Token);
            }
            catch (Exception e) when (e is SocketException or IOException or OperationCanceledException)
            {
                pipe.Dispose();
            }
        }
        while (_pipes.TryTake(out var left))
            left.Dispose();
    }

    // Reads until count bytes from _start are buffered, reading as much as the socket has in one go.
    private void Fill(int count)
    {
        if (_end - _start >= count)
            return;
        if (_start == _end)
            _start = _end = 0;
        if (_buffer.Length - _start < count)
        {
            var bigger = count > _buffer.Length ? new byte[Math.Max(count, _buffer.Length * 2)] : _buffer;
            Buffer.BlockCopy(_buffer, _start, bigger, 0, _end - _start);
            _end -= _start;
            _start = 0;
            _buffer = bigger;
        }
        while (_end - _start < count)
        {
            var read = _pipe!.Receive(_buffer, _end, _buffer.Length - _end, SocketFlags.None);
            if (read == 0)
                throw new IOException($"eKuiper closed {_url}");
            _end += read;
        }
    }

    /// <summary>Closes the listener and the pipe; a receive blocked on another thread returns null.</summary>
    public void Dispose()
    {
        _disposed = true;
        _closed.Cancel();
        _listener.Dispose();
        Interlocked.Exchange(ref _pipe, null)?.Dispose();
        // As nng's listener does, so that the next listen finds no stale file.
        File.Delete(SpWire.PathOf(_url));
    }
}

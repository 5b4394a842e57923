using EmbeddedPython.EKuiper.Protocol.Nng;

namespace EmbeddedPython.EKuiper.Hosting;

/// <summary>
/// The plugin's end of eKuiper's inverted REQ/REP pattern (spec §3.1), shared by the control channel and the
/// function channels: the plugin REQ-dials, sends <c>handshake</c>, and every message eKuiper has for it arrives
/// as the reply to the plugin's latest request; the plugin's answer goes out as the next request. The serving
/// loop never dies on a protocol error: on a receive timeout (keepalive), a protocol-state error or a lost
/// connection it sends a fresh <c>handshake</c>, which eKuiper treats as "send that again" (spec §3.3).
/// </summary>
internal sealed class RequestChannel(string url, string name, TimeSpan keepalive, Func<byte[], byte[]> serve,
    Action<string, Exception> failed, Action? connectionLost = null) : IDisposable
{
    private static readonly byte[] Handshake = "handshake"u8.ToArray();

    private readonly NngSocket _socket = Open(keepalive);
    private volatile bool _disposed;

    public void Start()
    {
        // Not blocking: nng keeps dialing in the background (the first send waits for the connection).
        _socket.Dial(url, blocking: false);
        new Thread(Serve) { IsBackground = true, Name = name }.Start();
    }

    private static NngSocket Open(TimeSpan keepalive)
    {
        var socket = NngSocket.Open(NngProtocol.Req);
        socket.ResendTime = TimeSpan.Zero;
        socket.ReceiveTimeout = keepalive;
        socket.ReconnectTimeMin = TimeSpan.FromMilliseconds(100);
        socket.ReconnectTimeMax = TimeSpan.FromSeconds(1);
        return socket;
    }

    private void Serve()
    {
        var next = Handshake;
        while (!_disposed)
        {
            try
            {
                _socket.Send(next);
                next = Handshake;
                var message = _socket.Receive();
                next = serve(message);
            }
            catch (NngException e) when (e.Is(NngError.TimedOut) || e.Is(NngError.State))
            {
            }
            catch (NngException e) when (e.Is(NngError.ConnectionReset) || e.Is(NngError.ConnectionShutdown))
            {
                if (connectionLost is not null)
                {
                    connectionLost();
                    return;
                }
                Thread.Sleep(100);
            }
            catch (NngException e) when (e.Is(NngError.Closed))
            {
                return;
            }
            catch (Exception e)
            {
                failed(name, e);
                Thread.Sleep(100);
            }
        }
    }

    public void Dispose()
    {
        _disposed = true;
        _socket.Dispose();
    }
}

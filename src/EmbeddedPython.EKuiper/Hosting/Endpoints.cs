using EmbeddedPython.EKuiper.Protocol.Nng;

namespace EmbeddedPython.EKuiper.Hosting;

/// <summary>Opening the data channels the way the SDK does (spec §2): blocking dials retried 51 × 100 ms,
/// listens retried 11 × 50 ms, so a peer that is a moment late still connects and a missing one is an error.</summary>
internal static class Endpoints
{
    public static NngSocket Dial(NngProtocol protocol, string url, Action<NngSocket>? configure = null) =>
        Open(protocol, configure, socket => Retry(() => socket.Dial(url), 51, TimeSpan.FromMilliseconds(100)));

    public static NngSocket Listen(NngProtocol protocol, string url) =>
        Open(protocol, null, socket => Retry(() => socket.Listen(url), 11, TimeSpan.FromMilliseconds(50)));

    private static NngSocket Open(NngProtocol protocol, Action<NngSocket>? configure, Action<NngSocket> connect)
    {
        var socket = NngSocket.Open(protocol);
        try
        {
            configure?.Invoke(socket);
            connect(socket);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private static void Retry(Action attempt, int attempts, TimeSpan pause)
    {
        for (var i = 1; ; i++)
        {
            try
            {
                attempt();
                return;
            }
            catch (NngException) when (i < attempts)
            {
                Thread.Sleep(pause);
            }
        }
    }
}

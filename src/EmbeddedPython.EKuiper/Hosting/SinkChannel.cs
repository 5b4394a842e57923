using EmbeddedPython.EKuiper.Diagnostics;
using EmbeddedPython.EKuiper.Protocol;
using EmbeddedPython.EKuiper.Protocol.Nng;

namespace EmbeddedPython.EKuiper.Hosting;

/// <summary>A sink: PULL-listens for eKuiper's data and PUSH-dials eKuiper's ack listener. The sink's thread
/// receives each message and sends each ack itself: eKuiper waits for the ack of one message before it sends
/// the next (with requireAck), so every hop between threads would be paid per message.</summary>
internal sealed class SinkChannel : DataChannel
{
    private readonly NngSocket _pull;
    private readonly NngSocket _ack;
    private readonly Action<string, Exception> _failed;

    public SinkChannel(string key, Meta meta, Action<string> closed, Action<string, Exception> failed) : base(key, closed)
    {
        var dataUrl = IpcUrls.Data(meta);
        var ackUrl = IpcUrls.Ack(meta);
        _failed = failed;
        _pull = Endpoints.Listen(NngProtocol.Pull, dataUrl);
        try
        {
            _ack = Endpoints.Dial(NngProtocol.Push, ackUrl, ConfigurePush);
        }
        catch
        {
            _pull.Dispose();
            throw;
        }
    }

    public override Func<byte[]?> ReceiveFunction => Receive;

    protected override bool Send(byte[] payload) => Push(_ack, payload);

    private byte[]? Receive()
    {
        try
        {
            var message = _pull.Receive();
            EKuiperTelemetry.SinkMessages.Add(1);
            return message;
        }
        catch (NngException e) when (e.Is(NngError.Closed))
        {
            return null;
        }
        catch (NngException e)
        {
            _failed(Key, e);
            return null;
        }
    }

    /// <summary>Closes both sockets; a receive or send the sink's thread waits in returns "closed".</summary>
    public override void Dispose()
    {
        _pull.Dispose();
        _ack.Dispose();
    }
}

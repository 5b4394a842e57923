using EmbeddedPython.EKuiper.Diagnostics;
using EmbeddedPython.EKuiper.Protocol;
using EmbeddedPython.EKuiper.Protocol.Ipc;

namespace EmbeddedPython.EKuiper.Hosting;

/// <summary>A sink: PULL-listens for eKuiper's data and PUSH-dials eKuiper's ack listener. The sink's thread
/// receives each message and sends each ack itself: eKuiper waits for the ack of one message before it sends
/// the next (with requireAck), so every hop between threads would be paid per message.</summary>
internal sealed class SinkChannel : DataChannel
{
    private readonly IpcPull _pull;
    private readonly IpcPush _ack;

    public SinkChannel(string key, Meta meta, Action<DataChannel> closed) : base(key, closed)
    {
        var dataUrl = IpcUrls.Data(meta);
        var ackUrl = IpcUrls.Ack(meta);
        // Listen retried 11 × 50 ms, as the SDK does (spec §2).
        _pull = IpcPull.Listen(dataUrl, 11, TimeSpan.FromMilliseconds(50));
        try
        {
            _ack = Dial(ackUrl);
        }
        catch
        {
            _pull.Dispose();
            throw;
        }
    }

    public override Func<byte[]?> ReceiveFunction => Receive;

    protected override bool Send(byte[] payload) => _ack.Send(payload);

    private byte[]? Receive()
    {
        var message = _pull.Receive();
        if (message is not null)
            EKuiperTelemetry.SinkMessages.Add(1);
        return message;
    }

    /// <summary>Closes both sockets; a receive or send the sink's thread waits in returns "closed".</summary>
    public override void Dispose()
    {
        _pull.Dispose();
        _ack.Dispose();
    }
}

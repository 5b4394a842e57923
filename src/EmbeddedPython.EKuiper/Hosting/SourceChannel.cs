using EmbeddedPython.EKuiper.Diagnostics;
using EmbeddedPython.EKuiper.Protocol;
using EmbeddedPython.EKuiper.Protocol.Ipc;

namespace EmbeddedPython.EKuiper.Hosting;

/// <summary>A source: PUSH-dials eKuiper's data listener; the source's thread pushes each tuple itself.</summary>
internal sealed class SourceChannel(string key, Meta meta, Action<DataChannel> closed) : DataChannel(key, closed)
{
    private readonly IpcPush _push = Dial(IpcUrls.Data(meta));

    protected override bool Send(byte[] payload)
    {
        if (!_push.Send(payload))
            return false;
        EKuiperTelemetry.SourceTuples.Add(1);
        return true;
    }

    public override void Dispose() => _push.Dispose();
}

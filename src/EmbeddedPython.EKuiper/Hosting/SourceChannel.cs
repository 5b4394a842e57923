using EmbeddedPython.EKuiper.Diagnostics;
using EmbeddedPython.EKuiper.Protocol;
using EmbeddedPython.EKuiper.Protocol.Nng;

namespace EmbeddedPython.EKuiper.Hosting;

/// <summary>A source: PUSH-dials eKuiper's data listener; the source's thread pushes each tuple itself.</summary>
internal sealed class SourceChannel(string key, Meta meta, Action<string> closed) : DataChannel(key, closed)
{
    private readonly NngSocket _push = Endpoints.Dial(NngProtocol.Push, IpcUrls.Data(meta), ConfigurePush);

    protected override bool Send(byte[] payload)
    {
        if (!Push(_push, payload))
            return false;
        EKuiperTelemetry.SourceTuples.Add(1);
        return true;
    }

    public override void Dispose() => _push.Dispose();
}

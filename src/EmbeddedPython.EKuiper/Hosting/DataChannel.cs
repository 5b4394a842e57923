using EmbeddedPython.EKuiper.Protocol.Ipc;

namespace EmbeddedPython.EKuiper.Hosting;

/// <summary>
/// The sockets of one running source or sink instance, filed under the SDK's instance key. The symbol's Python
/// thread uses them directly through the functions handed to it at start (<see cref="SendFunction"/>,
/// <see cref="ReceiveFunction"/>, <see cref="ClosedFunction"/>); the GIL is released while they wait, so a
/// message costs one crossing and no thread hop.
/// </summary>
internal abstract class DataChannel(string key, Action<DataChannel> closed) : IDisposable
{
    public string Key { get; } = key;

    /// <summary>send(bytes) -> bool: a source tuple or a sink ack. While eKuiper is slow this waits (the SDK
    /// raised after 1 s and killed the source, spec §7 #4); false once the channel is closed, which is how a
    /// stopped symbol learns of it.</summary>
    public Func<byte[], bool> SendFunction => Send;

    /// <summary>receive() -> bytes or None: the next sink message (null for a source).</summary>
    public virtual Func<byte[]?>? ReceiveFunction => null;

    /// <summary>closed(): the symbol ended by itself (a source's open returned, a sink failed to open).</summary>
    public Action ClosedFunction => () => closed(this);

    protected abstract bool Send(byte[] payload);

    public abstract void Dispose();

    /// <summary>Dials eKuiper's listener as the SDK does: blocking, retried 51 × 100 ms (spec §2).</summary>
    protected static IpcPush Dial(string url) => IpcPush.Dial(url, 51, TimeSpan.FromMilliseconds(100));
}

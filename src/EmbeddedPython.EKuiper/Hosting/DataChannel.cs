using EmbeddedPython.EKuiper.Nng;
using EmbeddedPython.EKuiper.Protocol;

namespace EmbeddedPython.EKuiper.Hosting;

/// <summary>The sockets of one running source or sink instance, filed under the SDK's instance key.</summary>
internal abstract class DataChannel(string key) : IDisposable
{
    public string Key { get; } = key;

    /// <summary>Pushes what the Python side sends (source tuples, sink acks) without waiting: false when nng
    /// cannot take it now, and Python retries with the GIL released.</summary>
    public abstract bool TrySend(byte[] payload);

    public abstract void Dispose();

    /// <summary>Sends 1 s at most, like the SDK; a queue of 128 so that sends rarely have to wait at all.</summary>
    protected static void ConfigurePush(NngSocket socket)
    {
        socket.SendTimeout = TimeSpan.FromSeconds(1);
        socket.SendBuffer = 128;
    }
}

/// <summary>A source: PUSH-dials eKuiper's data listener.</summary>
internal sealed class SourceChannel(string key, Meta meta) : DataChannel(key)
{
    private readonly NngSocket _push = Endpoints.Dial(NngProtocol.Push, IpcUrls.Data(meta), ConfigurePush);

    public override bool TrySend(byte[] payload)
    {
        if (!_push.TrySend(payload))
            return false;
        EKuiperTelemetry.SourceTuples.Add(1);
        return true;
    }

    public override void Dispose() => _push.Dispose();
}

/// <summary>A sink: PULL-listens for eKuiper's data, PUSH-dials eKuiper's ack listener, and hands what arrives to
/// the sink's Python thread in batches (one executor request per batch, not per message).</summary>
internal sealed class SinkChannel : DataChannel
{
    private const int MaxBatch = 256;
    private const int MaxQueued = 2048;

    private readonly NngSocket _pull;
    private readonly NngSocket _ack;
    private readonly PythonSide _python;
    private readonly Action<string, Exception> _failed;

    public SinkChannel(string key, Meta meta, PythonSide python, Action<string, Exception> failed) : base(key)
    {
        var dataUrl = IpcUrls.Data(meta);
        var ackUrl = IpcUrls.Ack(meta);
        _python = python;
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

    public override bool TrySend(byte[] payload) => _ack.TrySend(payload);

    public void StartReceiving()
    {
        new Thread(Receive) { IsBackground = true, Name = "ekuiper sink " + Key }.Start();
    }

    private void Receive()
    {
        try
        {
            while (true)
            {
                var batch = new List<byte[]> { _pull.Receive() };
                while (batch.Count < MaxBatch && _pull.TryReceive() is { } more)
                    batch.Add(more);
                EKuiperTelemetry.SinkMessages.Add(batch.Count);
                var queued = _python.Deliver(Key, batch);
                // Back-pressure: stop reading while the sink's thread is behind, so eKuiper's sends wait instead.
                while (queued > MaxQueued)
                {
                    Thread.Sleep(5);
                    queued = _python.Deliver(Key, []);
                }
                if (queued < 0)
                    return;
            }
        }
        catch (NngException e) when (e.Is(NngError.Closed))
        {
        }
        catch (Exception e)
        {
            _failed(Key, e);
        }
    }

    /// <summary>Closes both sockets; the receiver thread ends on "closed". Not joined: this may run on a Python
    /// thread that holds the GIL the receiver's last delivery waits for.</summary>
    public override void Dispose()
    {
        _pull.Dispose();
        _ack.Dispose();
    }
}

using System.Diagnostics;
using System.Threading.Channels;

namespace EmbeddedPython.Vantiq.Connection;

/// <summary>
/// Frames waiting for the server, kept across reconnects: a reply produced while the connection is down
/// goes out on the next session (the server still knows its reply address). Bounded: when full, a new
/// frame is refused; a frame older than its lifetime is dropped when its turn comes.
/// </summary>
internal sealed class OutgoingQueue
{
    private readonly Channel<(byte[] Frame, long Queued)> _channel;
    private readonly TimeSpan _lifetime;

    public OutgoingQueue(int capacity, TimeSpan lifetime)
    {
        _channel = Channel.CreateBounded<(byte[], long)>(new BoundedChannelOptions(capacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
        _lifetime = lifetime;
    }

    public bool TryAdd(byte[] frame) => _channel.Writer.TryWrite((frame, Stopwatch.GetTimestamp()));

    public int Count => _channel.Reader.Count;

    /// <summary>Sends frames in order through <paramref name="send"/> until cancelled or it fails; a frame
    /// leaves the queue only once it was sent, so a failed send is retried on the next session.</summary>
    public async Task PumpAsync(Func<byte[], CancellationToken, Task> send, Action<int> dropped, CancellationToken cancellationToken)
    {
        var reader = _channel.Reader;
        while (await reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
        {
            while (reader.TryPeek(out var item))
            {
                if (Stopwatch.GetElapsedTime(item.Queued) > _lifetime)
                {
                    reader.TryRead(out _);
                    dropped(item.Frame.Length);
                    continue;
                }
                await send(item.Frame, cancellationToken).ConfigureAwait(false);
                reader.TryRead(out _);
            }
        }
    }
}

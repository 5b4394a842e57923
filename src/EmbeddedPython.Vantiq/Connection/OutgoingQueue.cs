using System.Diagnostics;
using System.Net.WebSockets;

namespace EmbeddedPython.Vantiq.Connection;

/// <summary>
/// Frames waiting for the server, kept across reconnects: a reply produced while the connection is down
/// goes out on the next session (the server still knows its reply address). Bounded: when full, a new
/// frame is refused; a frame older than its lifetime is dropped when its turn comes.
/// </summary>
/// <remarks>While a session is attached, the thread that adds a frame to an idle queue sends it itself (the
/// interpreter thread, for a reply its code made): a small frame on a healthy socket is written synchronously,
/// so a reply costs no hand-over to another thread. Only one thread sends at a time, in queue order; the
/// others leave their frames to it.</remarks>
internal sealed class OutgoingQueue
{
    private readonly object _gate = new();
    private readonly Queue<(byte[] Frame, long Queued)> _frames = new();
    private readonly int _capacity;
    private readonly TimeSpan _lifetime;
    private Attachment? _attached;
    private bool _sending;

    /// <summary>A session's socket and what to tell it.</summary>
    private sealed record Attachment(WebSocket Socket, Action<int> Dropped, Action<Exception> Failed);

    public OutgoingQueue(int capacity, TimeSpan lifetime)
    {
        _capacity = capacity;
        _lifetime = lifetime;
    }

    /// <summary>Queues a frame, and sends it (with those before it) when a session is attached and nobody is
    /// sending; false when the queue is full.</summary>
    public bool TryAdd(byte[] frame)
    {
        lock (_gate)
        {
            if (_frames.Count >= _capacity)
                return false;
            _frames.Enqueue((frame, Stopwatch.GetTimestamp()));
            if (_sending || _attached is null)
                return true;
            _sending = true;
        }
        _ = DrainAsync();
        return true;
    }

    /// <summary>Frames are sent through <paramref name="socket"/> from now on, the waiting ones first.
    /// <paramref name="failed"/> is told when a send fails (the frame stays queued for the next session).</summary>
    public void Attach(WebSocket socket, Action<int> dropped, Action<Exception> failed)
    {
        lock (_gate)
        {
            _attached = new Attachment(socket, dropped, failed);
            if (_sending || _frames.Count == 0)
                return;
            _sending = true;
        }
        _ = DrainAsync();
    }

    /// <summary>No more sends through the session's socket; frames wait for the next <see cref="Attach"/>.</summary>
    public void Detach()
    {
        lock (_gate)
            _attached = null;
    }

    private async Task DrainAsync()
    {
        while (true)
        {
            Attachment? attached;
            byte[] frame;
            lock (_gate)
            {
                attached = _attached;
                if (attached is null || !_frames.TryPeek(out var next))
                {
                    _sending = false;
                    return;
                }
                if (Stopwatch.GetElapsedTime(next.Queued) > _lifetime)
                {
                    _frames.Dequeue();
                    attached.Dropped(next.Frame.Length);
                    continue;
                }
                frame = next.Frame;
            }
            try
            {
                await attached.Socket.SendAsync(frame, WebSocketMessageType.Text, true, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception e) when (e is WebSocketException or IOException or ObjectDisposedException or OperationCanceledException or InvalidOperationException)
            {
                // The frame stays queued; the loop goes on with a session attached meanwhile, or stops.
                lock (_gate)
                {
                    if (ReferenceEquals(_attached, attached))
                        _attached = null;
                }
                attached.Failed(e);
                continue;
            }
            lock (_gate)
                _frames.Dequeue();
        }
    }
}

using System.Diagnostics;

namespace EmbeddedPython.Execution;

/// <summary>
/// Times requests out. One timer for all requests, ticking every 10 ms while any request with a limit is
/// in flight, instead of a CancellationTokenSource and a timer per request: adding and removing a request
/// is a link in an intrusive list under a lock, with no allocation on the hot path.
/// </summary>
internal sealed class DeadlineWatch : IDisposable
{
    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(10);

    private readonly Lock _gate = new();
    private readonly Action<RequestState> _expired;
    private readonly Timer _timer;
    private RequestState? _head;
    private bool _ticking;

    public DeadlineWatch(Action<RequestState> expired)
    {
        _expired = expired;
        _timer = new Timer(static w => ((DeadlineWatch)w!).OnTick(), this, Timeout.Infinite, Timeout.Infinite);
    }

    public void Add(RequestState state, TimeSpan limit)
    {
        state.DeadlineTimestamp = Stopwatch.GetTimestamp() + (long)(limit.TotalSeconds * Stopwatch.Frequency);
        lock (_gate)
        {
            state.NextDeadline = _head;
            if (_head is not null)
                _head.PreviousDeadline = state;
            _head = state;
            state.Watched = true;
            if (!_ticking)
            {
                _ticking = true;
                _timer.Change(Tick, Tick);
            }
        }
    }

    public void Remove(RequestState state)
    {
        lock (_gate)
        {
            if (!state.Watched)
                return;
            if (state.PreviousDeadline is { } previous)
                previous.NextDeadline = state.NextDeadline;
            else
                _head = state.NextDeadline;
            if (state.NextDeadline is { } next)
                next.PreviousDeadline = state.PreviousDeadline;
            state.PreviousDeadline = state.NextDeadline = null;
            state.Watched = false;
        }
    }

    private void OnTick()
    {
        var now = Stopwatch.GetTimestamp();
        List<RequestState>? due = null; // ticks may overlap, so each has its own list
        lock (_gate)
        {
            for (var state = _head; state is not null; state = state.NextDeadline)
            {
                if (state.DeadlineTimestamp <= now)
                    (due ??= []).Add(state);
            }
            if (_head is null)
            {
                _ticking = false;
                _timer.Change(Timeout.Infinite, Timeout.Infinite);
            }
        }
        foreach (var state in due ?? [])
        {
            Remove(state);
            _expired(state);
        }
    }

    public void Dispose() => _timer.Dispose();
}

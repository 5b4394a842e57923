namespace EmbeddedPython.Vantiq.Connection;

/// <summary>Delay before the next connection attempt: exponential per consecutive failure, capped, with
/// jitter so that many connectors do not return in step. The Python SDK waited 0.5 s × failures without a
/// cap and retried a refused connectExtension with no delay at all.</summary>
internal sealed class ReconnectBackoff
{
    private readonly TimeSpan _first;
    private readonly TimeSpan _max;

    public ReconnectBackoff(TimeSpan first, TimeSpan max)
    {
        _first = first;
        _max = max;
    }

    public int Failures { get; private set; }

    public void Succeeded() => Failures = 0;

    /// <summary>Counts a failure and returns how long to wait: between half and all of first × 2^(failures-1), at most the cap.</summary>
    public TimeSpan Failed()
    {
        Failures++;
        var ceiling = Math.Min(_max.TotalMilliseconds, _first.TotalMilliseconds * Math.Pow(2, Math.Min(Failures - 1, 30)));
        return TimeSpan.FromMilliseconds(ceiling * (0.5 + Random.Shared.NextDouble() * 0.5));
    }
}

using System.Diagnostics;

namespace EmbeddedPython.Grpc.Executor;

/// <summary>What the executor's Health call reports besides the interpreter: calls in flight, uptime.</summary>
internal sealed class ExecutorServiceState
{
    private readonly long _started = Stopwatch.GetTimestamp();
    private int _running;

    public int Running => Volatile.Read(ref _running);

    public TimeSpan Uptime => Stopwatch.GetElapsedTime(_started);

    public Scope Enter()
    {
        Interlocked.Increment(ref _running);
        return new Scope(this);
    }

    public readonly struct Scope(ExecutorServiceState state) : IDisposable
    {
        public void Dispose() => Interlocked.Decrement(ref state._running);
    }
}

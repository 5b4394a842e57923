using System.Diagnostics;

namespace EmbeddedPython.Execution;

/// <summary>
/// How long a side of the hand-off waits a little before it sleeps: the interpreter thread for the next request
/// (<c>Interpreter.Loop.cs</c>), callers for a short request's outcome (<see cref="SpinningValueSource{T}"/>).
/// Waking a sleeping thread costs more than a cached request; spinning costs a core meanwhile. The budget starts
/// at <see cref="PythonExecutorOptions.IdleSpin"/> and learns, as adaptive locks do: a spin that saw what it
/// waited for doubles it again (up to IdleSpin), one that timed out halves it (down to a sixteenth), so traffic
/// sparser than the spin stops paying for it after a few gaps. Updates race benignly (a heuristic, no lock).
/// None on one core, where a spinning thread only delays the one it waits for.
/// </summary>
internal sealed class SpinBudget
{
    private readonly long _most;
    private readonly long _least;
    private long _ticks;

    public SpinBudget(PythonExecutorOptions options)
    {
        _most = Environment.ProcessorCount > 1 ? (long)(options.IdleSpin.TotalSeconds * Stopwatch.Frequency) : 0;
        _least = _most / 16;
        _ticks = _most;
    }

    /// <summary>Spins for up to the budget until <paramref name="seen"/> says what it waits for is there, and
    /// learns from the outcome; true when seen. No budget: false at once.</summary>
    public bool SpinUntil<TState>(TState state, Func<TState, bool> seen)
    {
        var budget = Volatile.Read(ref _ticks);
        if (budget == 0)
            return false;
        var end = Stopwatch.GetTimestamp() + budget;
        do
        {
            if (seen(state))
            {
                Volatile.Write(ref _ticks, Math.Min(_most, 2 * budget));
                return true;
            }
            // A few pause instructions, a fraction of a microsecond, so the change is seen at once. No yielding:
            // measured on the 2-core machine under load, a spinner that yields loses the core for a whole time
            // slice to whatever else is runnable (8-14 µs per request instead of 1.2-1.5 µs).
            Thread.SpinWait(8);
        }
        while (Stopwatch.GetTimestamp() < end);
        Volatile.Write(ref _ticks, Math.Max(_least, budget / 2));
        return seen(state);
    }
}

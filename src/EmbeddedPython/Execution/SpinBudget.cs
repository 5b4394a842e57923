using System.Diagnostics;

namespace EmbeddedPython.Execution;

/// <summary>
/// How long a side of the hand-off waits a little before it sleeps: the interpreter thread for the next request
/// (<c>Interpreter.Loop.cs</c>), callers for a short request's outcome (<see cref="SpinningValueSource{T}"/>).
/// Waking a sleeping thread costs more than a cached request; spinning costs a core meanwhile, and on a machine
/// with more runnable threads than cores a spinner is descheduled as often as not, and sees its work late while
/// a woken sleeper would have run at once. So the budget starts at <see cref="PythonExecutorOptions.IdleSpin"/>
/// and learns, increasing slowly and decreasing fast: a spin that saw its work promptly (within
/// <see cref="Prompt"/> of its arrival) doubles it, up to IdleSpin; one that timed out, or saw its work late,
/// halves it, and below a sixteenth of IdleSpin there is no spin at all (sparse traffic, or a busy machine, costs
/// nothing); a sleep that ended within IdleSpin of its spin's start (a longer spin might have paid) adds a
/// sixteenth, so a budget that shrank below the gaps of a steady stream grows back to cover them.
/// Updates race benignly (a heuristic, no lock). None on one core, where a spinning thread only delays the one it
/// waits for.
/// </summary>
internal sealed class SpinBudget
{
    /// <summary>How soon after its arrival a spinner must see its work for the spin to count as paid off: far
    /// above the fraction of a microsecond a running spinner takes, far below a time slice it lost.</summary>
    public static readonly long Prompt = Stopwatch.Frequency / 20_000; // 50 µs

    private readonly long _most;
    private readonly long _least;
    private long _ticks;

    public SpinBudget(PythonExecutorOptions options)
    {
        _most = Environment.ProcessorCount > 1 ? (long)(options.IdleSpin.TotalSeconds * Stopwatch.Frequency) : 0;
        _least = _most / 16;
        _ticks = _most;
    }

    /// <summary>The next spin's length, in timestamp ticks.</summary>
    public long Ticks => Volatile.Read(ref _ticks);

    /// <summary>Spins for up to the budget until <paramref name="arrivedAt"/> gives the timestamp its work
    /// arrived at (0 while it has not), and learns from the outcome; true when the work is there. No budget: false
    /// at once.</summary>
    public bool SpinUntil<TState>(TState state, Func<TState, long> arrivedAt)
    {
        var budget = Volatile.Read(ref _ticks);
        if (budget == 0)
            return false;
        var end = Stopwatch.GetTimestamp() + budget;
        long now;
        do
        {
            if (arrivedAt(state) is not 0 and var arrival)
            {
                var prompt = Stopwatch.GetTimestamp() - arrival < Prompt;
                Volatile.Write(ref _ticks, prompt ? Math.Min(_most, 2 * budget) : Shrunk(budget));
                return true;
            }
            // A few pause instructions, a fraction of a microsecond, so the change is seen at once. No yielding:
            // measured on the 2-core machine under load, a spinner that yields loses the core for a whole time
            // slice to whatever else is runnable (8-14 µs per request instead of 1.2-1.5 µs).
            Thread.SpinWait(8);
            now = Stopwatch.GetTimestamp();
        }
        while (now < end);
        Volatile.Write(ref _ticks, Shrunk(budget));
        return arrivedAt(state) != 0;
    }

    private long Shrunk(long budget) => budget / 2 < _least ? 0 : budget / 2;

    /// <summary>The work a spin that timed out at <paramref name="spinStart"/> waited for came now, after a
    /// sleep: had it come within IdleSpin, a longer spin might have saved the wake, so the budget grows a little.</summary>
    public void CameAfter(long spinStart)
    {
        if (Stopwatch.GetTimestamp() - spinStart < _most)
            Volatile.Write(ref _ticks, Math.Min(_most, Volatile.Read(ref _ticks) + _least));
    }
}

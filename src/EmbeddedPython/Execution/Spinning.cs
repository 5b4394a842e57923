using System.Diagnostics;

namespace EmbeddedPython.Execution;

/// <summary>
/// How a side of the hand-off waits a little before it sleeps (<see cref="PythonExecutorOptions.IdleSpin"/>):
/// the interpreter thread for the next request (<c>Interpreter.Loop.cs</c>), a caller for a short request's
/// outcome (<see cref="SpinningValueSource{T}"/>). Waking a sleeping thread costs more than a cached request.
/// </summary>
internal static class Spinning
{
    /// <summary><see cref="PythonExecutorOptions.IdleSpin"/> in timestamp ticks; none on one core, where a
    /// spinning thread only delays the one it waits for.</summary>
    public static long Ticks(PythonExecutorOptions options) =>
        Environment.ProcessorCount > 1 ? (long)(options.IdleSpin.TotalSeconds * Stopwatch.Frequency) : 0;

    /// <summary>Between two looks at what a spinner waits for: a few pause instructions, a fraction of a
    /// microsecond, so the change is seen at once. No yielding to other threads: measured on the 2-core
    /// machine under load, a spinner that yields the core loses it for a whole time slice to whatever else is
    /// runnable (8-14 µs per request instead of 1.2-1.5 µs); the spin is bounded by IdleSpin instead.</summary>
    public static void Round() => Thread.SpinWait(8);
}


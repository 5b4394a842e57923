using System.Runtime.InteropServices;
using EmbeddedPython.CPython;

namespace EmbeddedPython.Execution;

/// <summary>
/// Stops running Python code. <c>PyThreadState_SetAsyncExc</c> alone cannot stop <c>time.sleep</c> or a
/// blocking wait (embedding.md §5.4), so this sends a real-time signal to the interpreter thread: the
/// blocking call returns EINTR, Python runs the handler installed by <c>embedded_python._runtime</c>, and
/// the handler raises <c>Interrupted</c> into the request's code if that request is being interrupted.
/// The signal is sent again until the request has stopped, and the handler traces the request's frames so
/// that code which catches the exception and carries on meets it again at its next line. A sub-interpreter
/// gets no signal: its code is stopped by <see cref="Interpreter.RaiseInto"/> (an asynchronous exception, and
/// the end of a host sleep), repeated at the same interval.
/// </summary>
internal sealed partial class Interruption(Interpreter interpreter)
{
    private static readonly TimeSpan ResendInterval = TimeSpan.FromMilliseconds(50);
    private nuint _thread;

    /// <summary>SIGRTMAX-3: clear of the signals the .NET runtime uses (SIGRTMIN for its own thread activation).</summary>
    public int Signal { get; } = SignalRangeMax() - 3;

    public void Attach(nuint interpreterThread) => _thread = interpreterThread;

    /// <summary>Marks the request and, if its code is running, signals the thread until it stops.</summary>
    public void Interrupt(RequestState state, InterruptReason reason)
    {
        if (!state.TryInterrupt(reason) || _thread == 0)
            return;
        if (state.Phase == RequestState.Open)
            interpreter.Post(() => interpreter.CancelTasks(state));
        if (interpreter.IsMain)
            _ = KeepSignallingAsync(state);
        else
            _ = Task.Run(() => KeepRaisingAsync(state)); // reaching in waits for the GIL: never on the caller's thread
    }

    private async Task KeepRaisingAsync(RequestState state)
    {
        for (var attempt = 0; attempt < 200 && interpreter.IsRunning(state); attempt++)
        {
            interpreter.RaiseInto(state);
            await Task.Delay(ResendInterval).ConfigureAwait(false);
        }
    }

    private async Task KeepSignallingAsync(RequestState state)
    {
        // Bounded: code stuck in native code that never returns to Python cannot be stopped this way.
        for (var attempt = 0; attempt < 200 && interpreter.IsRunning(state); attempt++)
        {
            // Still running after two signals: code may have got round the guards on the signal (ignored it,
            // blocked it); a pending call, which a loop reaches without any signal, re-arms it.
            if (attempt >= 2 && attempt % 4 == 2)
                Protection.HostProtection.RequestRearm();
            Libc.pthread_kill(_thread, Signal);
            await Task.Delay(ResendInterval).ConfigureAwait(false);
        }
    }

    [LibraryImport("libc", EntryPoint = "__libc_current_sigrtmax")]
    private static partial int SignalRangeMax();
}

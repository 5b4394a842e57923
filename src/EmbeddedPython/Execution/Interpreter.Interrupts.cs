using EmbeddedPython.CPython;

namespace EmbeddedPython.Execution;

// What Interruption and the native module's interrupted() see of the thread.
internal sealed partial class Interpreter
{
    /// <summary>Why the code of <paramref name="requestId"/> should stop now, or none. Only while that code can
    /// be running: synchronously, or inside the loop (where Python also checks that a task of the request is
    /// the one executing), never while the host runs its own Python between requests.</summary>
    public InterruptReason InterruptReasonOf(long requestId)
    {
        if (_running is { } running && running.Id == requestId)
            return running.InterruptReason;
        return Volatile.Read(ref _inLoop) == 1 && _open.TryGetValue(requestId, out var state) ? state.InterruptReason : InterruptReason.None;
    }

    /// <summary>Whether the request's code may still be executing (synchronously, or as an asyncio task).</summary>
    public bool IsRunning(RequestState state) => _running == state || (state.Task != 0 && _open.ContainsKey(state.Id));

    /// <summary>Interrupts a request; safe from any thread.</summary>
    public void Interrupt(RequestState state, InterruptReason reason) => _interruption.Interrupt(state, reason);

    /// <summary>On the interpreter thread: stops an open request's tasks and forgets it.</summary>
    public unsafe void CancelTasks(RequestState state)
    {
        if (!_open.ContainsKey(state.Id))
            return;
        using var requestId = PyObject.Steal(Py.PyLong_FromLongLong(state.Id));
        Retire(state, requestId.Handle);
    }
}

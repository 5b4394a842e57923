namespace EmbeddedPython.Execution;

// The numbers shared with embedded_python._runtime, whose IntEnums of the same names hold them too; a test of
// the core (Execution/RuntimeProtocolTests) checks that both sides agree.

/// <summary>What <c>_native.send(request_id, kind, value)</c> reports.</summary>
internal enum SendKind
{
    /// <summary>value: one streamed message.</summary>
    Emit = 0,

    /// <summary>value: the last message, or null.</summary>
    Complete = 1,

    /// <summary>value: [message text, the error as the code gave it].</summary>
    Fail = 2,

    /// <summary>value: [message text, null or (type, message, traceback, line, offset) of the first exception a task raised].</summary>
    EndedUncompleted = 3,
}

/// <summary>Why a request's code is being stopped; what <c>_native.interrupted(request_id)</c> answers.</summary>
internal enum InterruptReason
{
    None = 0,
    TimeLimit = 1,
    Cancelled = 2,
    Shutdown = 3,
}

namespace EmbeddedPython.Memory;

/// <summary>Turns a bare <c>MemoryError</c> that a limit caused into one that says which limit.</summary>
internal static class MemoryLimitErrors
{
    /// <summary><paramref name="error"/>, or when the work item's account or the process limit refused an
    /// allocation while it ran, a <c>MemoryError</c> naming that limit (same type and traceback).</summary>
    public static PythonException Explain(PythonException error, MemoryAccount? account, long processRefusalsAtStart)
    {
        if (error.PythonType != "MemoryError")
            return error;
        string? limit = null;
        if (account is { WentOverLimit: true })
            limit = $"its memory limit of {account.Limit:N0} bytes (MemoryLimit)";
        else if (account is { WentOverProcessLimit: true } || AllocatorHook.ProcessRefusals != processRefusalsAtStart)
            limit = $"the process memory limit of {AllocatorHook.ProcessLimit:N0} bytes (ProcessMemoryLimit)";
        if (limit is null)
            return error;
        var detail = error.Message.Length == 0 ? "" : $" ({error.Message})";
        return new PythonException("MemoryError", $"The code went over {limit}: an allocation was refused{detail}.", error.PythonTraceback);
    }
}

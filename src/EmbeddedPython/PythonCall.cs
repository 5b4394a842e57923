namespace EmbeddedPython;

/// <summary>
/// A call of a Python function: <paramref name="Module"/> is imported once and kept, and
/// <paramref name="Function"/> is looked up in it, possibly through attributes (<c>"Model.predict"</c>,
/// <c>"cache.get"</c>). No code is compiled and no globals are built per call.
/// </summary>
/// <param name="Module">The module to import, e.g. <c>"pkg.mod"</c>.</param>
/// <param name="Function">The callable in it: a name or a dotted path of attributes.</param>
public sealed record PythonCall(string Module, string Function)
{
    /// <summary>Positional arguments, converted to Python (handles and delegates included).</summary>
    public IReadOnlyList<object?>? Args { get; init; }

    /// <summary>Keyword arguments, converted to Python.</summary>
    public IReadOnlyDictionary<string, object?>? Kwargs { get; init; }

    /// <summary>As <see cref="PythonRequest.Timeout"/>: covers queue wait and run (an awaited coroutine or a
    /// streamed generator included); null means <see cref="PythonExecutorOptions.DefaultTimeout"/>.</summary>
    public TimeSpan? Timeout { get; init; }

    /// <summary>Bytes of Python allocations the call may make, as the request's memory limit.</summary>
    public long? MemoryLimit { get; init; }

    /// <summary>As <see cref="PythonRequest.OutputReceived"/>: called on the interpreter thread with what the call
    /// (and its tasks) prints, line by line as it is printed and the rest when it ends; the output is logged as
    /// well. Must not block.</summary>
    public Action<string>? OutputReceived { get; init; }

    /// <summary>As <see cref="PythonRequest.Affinity"/>: pins the call to one interpreter by key (<c>"main"</c>: the
    /// main interpreter); null: the least loaded one, or the one a <see cref="PythonObject"/> argument belongs to.</summary>
    public string? Affinity { get; init; }
}

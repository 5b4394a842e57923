namespace EmbeddedPython;

/// <summary>Shortcuts for the common cases of <see cref="IPythonExecutor"/>.</summary>
public static class PythonExecutorExtensions
{
    /// <summary>Runs <paramref name="code"/> with optional preset globals and returns its globals.</summary>
    /// <param name="executor">The executor.</param>
    /// <param name="code">Python source; compiled on every call (use <see cref="PythonRequest.Name"/> to cache it).</param>
    /// <param name="presetValues">Values that become globals before the code runs.</param>
    /// <param name="cancellationToken">Cancels the request and interrupts its code.</param>
    public static Task<PythonResult> ExecuteAsync(
        this IPythonExecutor executor,
        string code,
        IReadOnlyDictionary<string, object?>? presetValues = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(executor);
        return executor.ExecuteAsync(new PythonRequest { Code = code, PresetValues = presetValues }, cancellationToken);
    }
}

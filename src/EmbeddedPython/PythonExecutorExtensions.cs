using System.Diagnostics.CodeAnalysis;
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

    /// <summary>Calls <paramref name="module"/>.<paramref name="function"/> with positional arguments and the
    /// default time limit: <c>await python.CallAsync&lt;long&gt;("calc", "add", 1, 2)</c>.</summary>
    /// <param name="executor">The executor.</param>
    /// <param name="module">The module to import (once).</param>
    /// <param name="function">The callable in it; a dotted path allowed (<c>"Model.predict"</c>).</param>
    /// <param name="args">Positional arguments.</param>
    public static Task<T> CallAsync<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors | DynamicallyAccessedMemberTypes.PublicProperties)] T>(this IPythonExecutor executor, string module, string function, params object?[] args)
    {
        ArgumentNullException.ThrowIfNull(executor);
        return executor.CallAsync<T>(new PythonCall(module, function) { Args = args }, CancellationToken.None);
    }
}

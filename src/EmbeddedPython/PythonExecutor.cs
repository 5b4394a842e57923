using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace EmbeddedPython;

/// <summary>
/// The executor: starts one interpreter thread that loads CPython and serves every request from a queue.
/// Usually registered with <c>services.AddPythonExecutor()</c>; can also be created directly.
/// </summary>
public sealed partial class PythonExecutor : IPythonExecutor
{
    /// <summary>Starts the interpreter thread. Python is loaded on that thread; a failure to load it is
    /// reported by every request (and by the health check).</summary>
    /// <param name="options">Settings; not changed by the executor.</param>
    /// <param name="loggerFactory">Where logs go; none when null.</param>
    /// <param name="scriptStore">Resolves <see cref="PythonRequest.Script"/>; by default files under <see cref="PythonExecutorOptions.ScriptDirectory"/>.</param>
    public PythonExecutor(PythonExecutorOptions options, ILoggerFactory? loggerFactory = null, IScriptStore? scriptStore = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _ = loggerFactory ?? NullLoggerFactory.Instance;
        _ = scriptStore;
        throw new NotImplementedException("The interpreter thread is being built.");
    }

    /// <inheritdoc />
    public Task<PythonResult> ExecuteAsync(PythonRequest request, CancellationToken cancellationToken = default) =>
        throw new NotImplementedException();

    /// <inheritdoc />
    public IAsyncEnumerable<PythonMessage> StreamAsync(PythonRequest request, CancellationToken cancellationToken = default) =>
        throw new NotImplementedException();

    /// <inheritdoc />
    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}

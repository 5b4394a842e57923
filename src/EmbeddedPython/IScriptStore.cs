namespace EmbeddedPython;

/// <summary>Where <see cref="PythonRequest.Script"/> names are resolved to source text.</summary>
public interface IScriptStore
{
    /// <summary>Returns the current source of a script, or null when there is no such script.</summary>
    /// <param name="name">The script's name as given in the request.</param>
    /// <param name="cancellationToken">Cancels the lookup.</param>
    ValueTask<PythonScript?> GetAsync(string name, CancellationToken cancellationToken = default);
}

/// <summary>A script's source and the version it has now.</summary>
/// <param name="Source">The source text.</param>
/// <param name="Version">Changes whenever the source changes (e.g. the file's write time); cached code is reused while it stays the same.</param>
/// <param name="FileName">Shown in tracebacks and set as <c>__file__</c>.</param>
public sealed record PythonScript(string Source, string Version, string FileName);

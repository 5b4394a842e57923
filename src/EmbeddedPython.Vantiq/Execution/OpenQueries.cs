using System.Collections.Concurrent;

namespace EmbeddedPython.Vantiq.Execution;

/// <summary>The reply addresses of one connection's unanswered queries. A query gets exactly one final
/// frame: whoever closes it first (its code, a time-out, an error) sends it, later attempts are refused.</summary>
internal sealed class OpenQueries
{
    private readonly ConcurrentDictionary<string, byte> _open = new(StringComparer.Ordinal);

    public void Open(string address) => _open[address] = 0;

    public bool IsOpen(string address) => _open.ContainsKey(address);

    /// <summary>True for the one caller that closes the query.</summary>
    public bool TryClose(string address) => _open.TryRemove(address, out _);
}

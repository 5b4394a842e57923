using EmbeddedPython.CPython;

namespace EmbeddedPython.Execution;

/// <summary>A compiled code object and whether running it returns a coroutine (top-level await).</summary>
internal sealed class CompiledCode(nint code, bool isAsync, string source) : IDisposable
{
    public nint Code { get; private set; } = code;
    public bool IsAsync { get; } = isAsync;
    public string Source { get; } = source;

    public unsafe void Dispose()
    {
        if (Code != 0)
            Py.Py_DecRef(Code);
        Code = 0;
    }
}

/// <summary>
/// Compiled code by name, least recently used first out. Compiling costs about 80 times as much as running
/// a small statement (embedding.md §0), so this cache is the executor's most important speed-up.
/// Touched only by the interpreter thread.
/// </summary>
internal sealed class CodeCache(int capacity)
{
    private readonly Dictionary<string, LinkedListNode<(string Key, CompiledCode Code)>> _entries = new(StringComparer.Ordinal);
    private readonly LinkedList<(string Key, CompiledCode Code)> _recency = new();

    public int Count => _entries.Count;

    public CompiledCode? Get(string key)
    {
        if (!_entries.TryGetValue(key, out var node))
            return null;
        if (node != _recency.First)
        {
            _recency.Remove(node);
            _recency.AddFirst(node);
        }
        return node.Value.Code;
    }

    /// <summary>Releases every entry (its executor was disposed); on the interpreter thread.</summary>
    public void Clear()
    {
        foreach (var (_, code) in _recency)
            code.Dispose();
        _recency.Clear();
        _entries.Clear();
    }

    /// <summary>Stores <paramref name="code"/> under <paramref name="key"/>, replacing (and releasing) what was there.</summary>
    public void Put(string key, CompiledCode code)
    {
        if (_entries.Remove(key, out var old))
        {
            _recency.Remove(old);
            old.Value.Code.Dispose();
        }
        _entries[key] = _recency.AddFirst((key, code));
        while (_entries.Count > capacity)
        {
            var last = _recency.Last!;
            _recency.RemoveLast();
            _entries.Remove(last.Value.Key);
            last.Value.Code.Dispose();
        }
    }
}

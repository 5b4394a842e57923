using EmbeddedPython.CPython;

namespace EmbeddedPython.Execution;

/// <summary>
/// Interned Python strings for the names requests use again and again (preset and returned globals), so
/// the hot path does not decode the same key on every request. Bounded: past the limit a name gets a
/// fresh string each time. Touched only by the interpreter thread.
/// </summary>
internal sealed class NameCache(int capacity = 4096)
{
    private readonly Dictionary<string, nint> _names = new(StringComparer.Ordinal);

    /// <summary>A new reference to the Python str for <paramref name="name"/>.</summary>
    public unsafe PyObject Get(string name)
    {
        if (_names.TryGetValue(name, out var cached))
            return PyObject.Borrow(cached);
        var created = Py.Intern(name);
        if (created != 0 && _names.Count < capacity)
        {
            _names[name] = created; // the cache keeps this reference for the life of the process
            return PyObject.Borrow(created);
        }
        return PyObject.Steal(created);
    }
}

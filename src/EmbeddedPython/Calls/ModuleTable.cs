using EmbeddedPython.CPython;
using EmbeddedPython.Execution;

namespace EmbeddedPython.Calls;

/// <summary>
/// The modules calls have imported, kept for the life of the interpreter (a module stays in sys.modules
/// anyway), and the split form of the dotted attribute paths calls use. Interpreter thread only.
/// </summary>
internal sealed unsafe class ModuleTable
{
    private const int PathCacheSize = 4096;

    private readonly Dictionary<string, nint> _modules = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string[]> _paths = new(StringComparer.Ordinal);
    private readonly NameCache _names;

    public ModuleTable(NameCache names) => _names = names;

    /// <summary>The module (borrowed: the table keeps it); throws the import's <see cref="PythonException"/>.</summary>
    public nint Import(string name)
    {
        if (_modules.TryGetValue(name, out var module))
            return module;
        var imported = Py.Import(name);
        if (imported.IsNull)
            throw PythonErrors.Take($"importing {name}");
        return _modules[name] = imported.Release();
    }

    /// <summary>Follows the dotted <paramref name="path"/> from the borrowed <paramref name="root"/>; a new reference.</summary>
    public PyObject Resolve(nint root, string path)
    {
        var current = PyObject.Borrow(root);
        foreach (var segment in Segments(path))
        {
            using var name = _names.Get(segment);
            var next = PyObject.Steal(Py.PyObject_GetAttr(current.Handle, name.Handle));
            current.Dispose();
            if (next.IsNull)
                throw PythonErrors.Take();
            current = next;
        }
        return current;
    }

    private string[] Segments(string path)
    {
        if (path.Length == 0)
            return [];
        if (_paths.TryGetValue(path, out var segments))
            return segments;
        segments = path.Split('.');
        if (Array.Exists(segments, s => s.Length == 0))
            throw new ArgumentException($"'{path}' is not a dotted attribute path.", nameof(path));
        if (_paths.Count < PathCacheSize)
            _paths[path] = segments;
        return segments;
    }
}

using System.Collections.Concurrent;
using EmbeddedPython.CPython;
using EmbeddedPython.Execution;

namespace EmbeddedPython.Calls;

/// <summary>
/// The Python objects one executor's <see cref="PythonObject"/> handles keep alive on one interpreter, by handle id. Only the
/// interpreter thread touches the objects: a handle disposed, or collected without dispose (its finaliser),
/// only queues its id, and the queue is drained on the interpreter thread before the next work item.
/// Disposing the executor releases every object still held.
/// </summary>
internal sealed unsafe class HandleTable
{
    private const int TypeNameCacheSize = 1024;

    private readonly Dictionary<long, nint> _objects = new();
    private readonly Dictionary<nint, string> _typeNames = new();
    private readonly ConcurrentQueue<long> _released = new();
    private readonly Interpreter _interpreter;
    private readonly Action _drain;
    private int _drainPosted;
    private long _nextId;
    private bool _closed;

    public HandleTable(PythonExecutor executor, ExecutorLease lease)
    {
        Executor = executor;
        Lease = lease;
        _interpreter = lease.Interpreter;
        _drain = Drain;
    }

    [ThreadStatic] private static HandleTable? t_current;

    /// <summary>The table of the work item running on this interpreter thread, for results that become handles.</summary>
    public static HandleTable? Current
    {
        get => t_current;
        set => t_current = value;
    }

    public PythonExecutor Executor { get; }

    /// <summary>The executor's lease on the interpreter the objects belong to: work on them goes there.</summary>
    public ExecutorLease Lease { get; }

    /// <summary>How many objects handles keep alive (read on the interpreter thread; elsewhere a snapshot).</summary>
    public int Count => _objects.Count;

    /// <summary>A handle on the borrowed <paramref name="obj"/> for the running work item's executor.</summary>
    public static PythonObject Wrap(nint obj) =>
        (Current ?? throw new InvalidOperationException("A Python object can become a handle only while a work item of an executor runs.")).Add(obj);

    public PythonObject Add(nint obj)
    {
        if (_closed)
            throw new ObjectDisposedException(nameof(PythonExecutor));
        Py.Py_IncRef(obj);
        var id = ++_nextId;
        _objects.Add(id, obj);
        return new PythonObject(this, id, TypeNameOf(obj));
    }

    /// <summary>The object of a live handle (borrowed); ObjectDisposedException once it is released.</summary>
    public nint Get(PythonObject handle)
    {
        if (_closed)
            throw new ObjectDisposedException(nameof(PythonObject), "The handle's executor was disposed.");
        if (!_objects.TryGetValue(handle.Id, out var obj))
            throw new ObjectDisposedException(nameof(PythonObject), $"The handle of a {handle.TypeName} was disposed.");
        if (!_interpreter.IsOwnThread)
            throw new ArgumentException(
                $"The handle of a {handle.TypeName} belongs to the {_interpreter.Name} interpreter, and this work runs on another: "
                + "objects cannot cross interpreters. Send work that uses it with the same Affinity as the work that made it.");
        return obj;
    }

    /// <summary>Queues the release of a handle's object; safe from any thread, the finaliser's included.</summary>
    public void Release(long id)
    {
        _released.Enqueue(id);
        if (Interlocked.Exchange(ref _drainPosted, 1) == 0)
            _interpreter.Post(_drain);
    }

    private void Drain()
    {
        Volatile.Write(ref _drainPosted, 0);
        while (_released.TryDequeue(out var id))
        {
            if (_objects.Remove(id, out var obj))
                Py.Py_DecRef(obj);
        }
    }

    /// <summary>On the interpreter thread, when the executor is disposed: drops every object still held.</summary>
    public void ReleaseAll()
    {
        _closed = true;
        foreach (var obj in _objects.Values)
            Py.Py_DecRef(obj);
        _objects.Clear();
        _released.Clear();
    }

    /// <summary>"module.QualifiedName" of the object's type, cached per type (the cache keeps the type alive,
    /// so its address is never reused for another).</summary>
    private string TypeNameOf(nint obj)
    {
        var type = Py.TypeOf(obj);
        if (_typeNames.TryGetValue(type, out var cached))
            return cached;
        var name = QualifiedName(type);
        if (_typeNames.Count < TypeNameCacheSize)
        {
            Py.Py_IncRef(type);
            _typeNames[type] = name;
        }
        return name;
    }

    private const ulong HeapType = 1UL << 9; // Py_TPFLAGS_HEAPTYPE

    /// <summary>Static types carry their module in <c>tp_name</c> ("numpy.ndarray"); classes defined in Python
    /// (heap types) have only their name there, so their <c>__module__</c> and <c>__qualname__</c> are read.</summary>
    private static string QualifiedName(nint type)
    {
        var tpName = Py.TypeObjectName(type);
        if ((Py.PyType_GetFlags(type) & HeapType) == 0)
            return tpName;
        using var module = Py.GetAttr(type, "__module__");
        using var qualifiedName = Py.GetAttr(type, "__qualname__");
        var moduleName = module.IsNull ? null : Py.AsString(module.Handle);
        var name = qualifiedName.IsNull ? tpName : Py.AsString(qualifiedName.Handle) ?? tpName;
        Py.PyErr_Clear();
        return moduleName is null or "builtins" ? name : $"{moduleName}.{name}";
    }
}

using System.Diagnostics.CodeAnalysis;
using EmbeddedPython.Calls;

namespace EmbeddedPython;

/// <summary>
/// A live Python object kept by the interpreter thread for .NET: returned for <c>T = PythonObject</c>, by
/// <see cref="IPythonExecutor.ImportAsync"/>, and for unconvertible globals of a request with
/// <see cref="PythonRequest.ReturnHandles"/>. It may be passed back as an argument or a preset value. Every
/// operation is a work item on the executor's queue, with the default time limit. Dispose it to release the
/// object; a handle collected without dispose is released on the interpreter thread all the same, and
/// disposing the executor releases all of its handles.
/// </summary>
public sealed class PythonObject : IAsyncDisposable
{
    private int _disposed;

    internal PythonObject(HandleTable table, long id, string typeName)
    {
        Table = table;
        Id = id;
        TypeName = typeName;
    }

    /// <summary>Queues the release of a handle that was never disposed.</summary>
    ~PythonObject()
    {
        if (_disposed == 0)
            Table.Release(Id); // only queued: the object is released on the interpreter thread
    }

    internal HandleTable Table { get; }
    internal long Id { get; }

    /// <summary>The qualified name of the object's type: <c>"numpy.ndarray"</c>, <c>"mymod.Model"</c>, <c>"int"</c>.</summary>
    public string TypeName { get; }

    /// <summary>Calls the object itself (a function, a class, any callable) and converts its result.</summary>
    /// <exception cref="ObjectDisposedException">The handle, or its executor, was disposed.</exception>
    public Task<T> CallAsync<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors | DynamicallyAccessedMemberTypes.PublicProperties)] T>(IReadOnlyList<object?>? args = null, IReadOnlyDictionary<string, object?>? kwargs = null, CancellationToken cancellationToken = default) =>
        Run<T>("", CallKind.Invoke, args, kwargs, cancellationToken);

    /// <summary>Calls a method (or any callable attribute, a dotted path allowed) of the object.</summary>
    /// <exception cref="ObjectDisposedException">The handle, or its executor, was disposed.</exception>
    public Task<T> CallMethodAsync<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors | DynamicallyAccessedMemberTypes.PublicProperties)] T>(string name, IReadOnlyList<object?>? args = null, IReadOnlyDictionary<string, object?>? kwargs = null, CancellationToken cancellationToken = default) =>
        Run<T>(RequireName(name), CallKind.Invoke, args, kwargs, cancellationToken);

    /// <summary>Reads an attribute (a dotted path allowed) and converts it.</summary>
    /// <exception cref="ObjectDisposedException">The handle, or its executor, was disposed.</exception>
    public Task<T> GetAttributeAsync<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors | DynamicallyAccessedMemberTypes.PublicProperties)] T>(string name, CancellationToken cancellationToken = default) =>
        Run<T>(RequireName(name), CallKind.Read, null, null, cancellationToken);

    /// <summary>Converts the object itself to <typeparamref name="T"/>.</summary>
    /// <exception cref="ObjectDisposedException">The handle, or its executor, was disposed.</exception>
    public Task<T> ConvertAsync<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors | DynamicallyAccessedMemberTypes.PublicProperties)] T>(CancellationToken cancellationToken = default) =>
        Run<T>("", CallKind.Read, null, null, cancellationToken);

    /// <summary>Releases the object (on the interpreter thread, before the executor's next work item). Calls
    /// already queued that use the handle fail with <see cref="ObjectDisposedException"/>.</summary>
    public ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            GC.SuppressFinalize(this);
            Table.Release(Id);
        }
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public override string ToString() => $"<PythonObject {TypeName}>";

    private Task<T> Run<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors | DynamicallyAccessedMemberTypes.PublicProperties)] T>(string path, CallKind kind, IReadOnlyList<object?>? args, IReadOnlyDictionary<string, object?>? kwargs, CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _disposed) != 0)
            return Task.FromException<T>(new ObjectDisposedException(nameof(PythonObject), $"The handle of a {TypeName} was disposed."));
        return Table.Executor.CallAsync<T>(new CallTarget(null, this, path), kind, args, kwargs, timeout: null, cancellationToken);
    }

    private static string RequireName(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        return name;
    }
}

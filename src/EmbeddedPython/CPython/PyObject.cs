namespace EmbeddedPython.CPython;

/// <summary>
/// Owns one strong reference to a Python object and drops it on <see cref="Dispose"/>. A struct, so owning
/// a reference costs no allocation; use it with <c>using</c> so that no error path can leak.
/// </summary>
internal struct PyObject : IDisposable
{
    private nint _handle;

    private PyObject(nint handle) => _handle = handle;

    public readonly nint Handle => _handle;
    public readonly bool IsNull => _handle == 0;

    /// <summary>Takes ownership of a new reference (as returned by most C API calls).</summary>
    public static PyObject Steal(nint handle) => new(handle);

    /// <summary>Adds a reference to a borrowed one and owns that.</summary>
    public static unsafe PyObject Borrow(nint handle)
    {
        if (handle != 0)
            Py.Py_IncRef(handle);
        return new(handle);
    }

    /// <summary>Gives the reference away (to an API that steals it, or to a longer-lived owner).</summary>
    public nint Release()
    {
        var handle = _handle;
        _handle = 0;
        return handle;
    }

    public unsafe void Dispose()
    {
        if (_handle != 0)
        {
            Py.Py_DecRef(_handle);
            _handle = 0;
        }
    }
}

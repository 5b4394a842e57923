namespace EmbeddedPython;

/// <summary>
/// The contents of a Python object exposing a C-contiguous buffer (bytes, bytearray, array.array, memoryview,
/// a numpy array), copied once into .NET memory, with the buffer's shape (row-major, as numpy's <c>shape</c>).
/// </summary>
/// <typeparam name="T">The element type; it must match the buffer's format (<c>'d'</c> for double, <c>'q'</c>
/// or <c>'l'</c> of 8 bytes for long, …).</typeparam>
public sealed class PythonBuffer<T> where T : unmanaged
{
    /// <summary>Creates a buffer over <paramref name="data"/> with the given shape.</summary>
    public PythonBuffer(ReadOnlyMemory<T> data, int[] shape)
    {
        Data = data;
        Shape = shape;
    }

    /// <summary>The elements in row-major (C) order.</summary>
    public ReadOnlyMemory<T> Data { get; }

    /// <summary>The length of each dimension; one entry for a one-dimensional buffer.</summary>
    public int[] Shape { get; }
}

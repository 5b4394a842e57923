using System.Runtime.InteropServices;

namespace EmbeddedPython.CPython;

/// <summary>The buffer protocol, and the iteration helpers typed conversion needs beside it.</summary>
internal static unsafe partial class Py
{
    public static delegate* unmanaged<nint, PyBufferView*, int, int> PyObject_GetBuffer;
    public static delegate* unmanaged<PyBufferView*, void> PyBuffer_Release;
    public static delegate* unmanaged<byte*, nint, nint> PyByteArray_FromStringAndSize;
    public static delegate* unmanaged<nint, nint> PyMemoryView_FromObject;
    public static delegate* unmanaged<nint, nint> PySequence_List;
    public static delegate* unmanaged<nint, nint> PyNumber_Index;
    public static nint PyExc_BufferError;

    // PyObject_GetBuffer request flags (stable ABI): a C-contiguous buffer with its format and shape.
    public const int BufferCContiguous = 0x0020 | 0x0010 | 0x0008, BufferFormat = 0x0004;

    private static void BindBuffers(LibPython lib)
    {
        PyObject_GetBuffer = (delegate* unmanaged<nint, PyBufferView*, int, int>)lib.Export(nameof(PyObject_GetBuffer));
        PyBuffer_Release = (delegate* unmanaged<PyBufferView*, void>)lib.Export(nameof(PyBuffer_Release));
        PyByteArray_FromStringAndSize = (delegate* unmanaged<byte*, nint, nint>)lib.Export(nameof(PyByteArray_FromStringAndSize));
        PyMemoryView_FromObject = (delegate* unmanaged<nint, nint>)lib.Export(nameof(PyMemoryView_FromObject));
        PySequence_List = (delegate* unmanaged<nint, nint>)lib.Export(nameof(PySequence_List));
        PyNumber_Index = (delegate* unmanaged<nint, nint>)lib.Export(nameof(PyNumber_Index));
        PyExc_BufferError = *(nint*)lib.Export(nameof(PyExc_BufferError));
    }
}

/// <summary><c>Py_buffer</c>, filled by <c>PyObject_GetBuffer</c> (same layout in 3.9–3.13; in the limited API since 3.11).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct PyBufferView
{
    public nint Buf;
    public nint Obj;
    public nint Len;
    public nint ItemSize;
    public int ReadOnly;
    public int NDim;
    public nint Format;
    public nint Shape;
    public nint Strides;
    public nint SubOffsets;
    public nint Internal;
}

using System.Runtime.InteropServices;

namespace EmbeddedPython.CPython;

/// <summary>CPython's <c>PyMemAllocatorEx</c>: one allocator domain's functions and their context.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct PyMemAllocatorEx
{
    public nint Context;
    public delegate* unmanaged<nint, nuint, nint> Malloc;
    public delegate* unmanaged<nint, nuint, nuint, nint> Calloc;
    public delegate* unmanaged<nint, nint, nuint, nint> Realloc;
    public delegate* unmanaged<nint, nint, void> Free;
}

/// <summary>CPython's <c>PyObjectArenaAllocator</c>: where pymalloc gets and returns its arenas (sizes given).</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct PyObjectArenaAllocator
{
    public nint Context;
    public delegate* unmanaged<nint, nuint, nint> Alloc;
    public delegate* unmanaged<nint, nint, nuint, void> Free;
}

internal static unsafe partial class Py
{
    // PyMemAllocatorDomain (stable since 3.4).
    public const int MemDomainRaw = 0;

    public static delegate* unmanaged<int, PyMemAllocatorEx*, void> PyMem_GetAllocator;
    public static delegate* unmanaged<int, PyMemAllocatorEx*, void> PyMem_SetAllocator;
    public static delegate* unmanaged<PyObjectArenaAllocator*, void> PyObject_GetArenaAllocator;
    public static delegate* unmanaged<PyObjectArenaAllocator*, void> PyObject_SetArenaAllocator;

    private static void BindMemory(LibPython lib)
    {
        PyMem_GetAllocator = (delegate* unmanaged<int, PyMemAllocatorEx*, void>)lib.Export(nameof(PyMem_GetAllocator));
        PyMem_SetAllocator = (delegate* unmanaged<int, PyMemAllocatorEx*, void>)lib.Export(nameof(PyMem_SetAllocator));
        PyObject_GetArenaAllocator = (delegate* unmanaged<PyObjectArenaAllocator*, void>)lib.Export(nameof(PyObject_GetArenaAllocator));
        PyObject_SetArenaAllocator = (delegate* unmanaged<PyObjectArenaAllocator*, void>)lib.Export(nameof(PyObject_SetArenaAllocator));
    }
}

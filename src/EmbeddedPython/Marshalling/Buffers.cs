using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using EmbeddedPython.CPython;

namespace EmbeddedPython.Marshalling;

/// <summary>
/// Arrays of primitive numbers across the buffer protocol (DESIGN §3b, buffers), one copy each way.
/// .NET → Python copies the elements once into a new <c>bytearray</c> and returns a <c>memoryview</c> of it
/// cast to the element format: Python owns that memory, so no view can outlive pinned .NET memory, and
/// <c>numpy.asarray(view)</c> or <c>array.array(fmt, view)</c> read it without another copy (numpy shares it).
/// Python → .NET asks for a C-contiguous buffer with its format and copies it once into a new array.
/// Must be called holding the GIL.
/// </summary>
internal static unsafe class Buffers
{
    /// <summary>The struct-module format code of a primitive element type, or null when it has none.</summary>
    public static char? FormatOf(Type elementType) =>
        elementType == typeof(double) ? 'd' : elementType == typeof(float) ? 'f' :
        elementType == typeof(long) ? 'q' : elementType == typeof(ulong) ? 'Q' :
        elementType == typeof(int) ? 'i' : elementType == typeof(uint) ? 'I' :
        elementType == typeof(short) ? 'h' : elementType == typeof(ushort) ? 'H' :
        elementType == typeof(sbyte) ? 'b' : elementType == typeof(byte) ? 'B' :
        elementType == typeof(bool) ? '?' : null;

    /// <summary>A rectangular array of primitive numbers as a memoryview of its shape; false for other arrays.</summary>
    public static bool TryFromArray(Array array, out nint view)
    {
        view = 0;
        if (FormatOf(array.GetType().GetElementType()!) is not { } format)
            return false;
        Span<int> shape = stackalloc int[array.Rank];
        for (var i = 0; i < shape.Length; i++)
            shape[i] = array.GetLength(i);
        var bytes = MemoryMarshal.CreateReadOnlySpan(ref MemoryMarshal.GetArrayDataReference(array), Buffer.ByteLength(array));
        view = Create(bytes, format, shape);
        return true;
    }

    /// <summary>A <see cref="ReadOnlyMemory{T}"/> or <see cref="Memory{T}"/> of primitive numbers (other than
    /// bytes, which stay <c>bytes</c>) as a one-dimensional memoryview; false for anything else.</summary>
    public static bool TryFromMemory(object value, out nint view)
    {
        view = value switch
        {
            ReadOnlyMemory<double> m => FromSpan(m.Span), Memory<double> m => FromSpan<double>(m.Span),
            ReadOnlyMemory<float> m => FromSpan(m.Span), Memory<float> m => FromSpan<float>(m.Span),
            ReadOnlyMemory<long> m => FromSpan(m.Span), Memory<long> m => FromSpan<long>(m.Span),
            ReadOnlyMemory<ulong> m => FromSpan(m.Span), Memory<ulong> m => FromSpan<ulong>(m.Span),
            ReadOnlyMemory<int> m => FromSpan(m.Span), Memory<int> m => FromSpan<int>(m.Span),
            ReadOnlyMemory<uint> m => FromSpan(m.Span), Memory<uint> m => FromSpan<uint>(m.Span),
            ReadOnlyMemory<short> m => FromSpan(m.Span), Memory<short> m => FromSpan<short>(m.Span),
            ReadOnlyMemory<ushort> m => FromSpan(m.Span), Memory<ushort> m => FromSpan<ushort>(m.Span),
            ReadOnlyMemory<sbyte> m => FromSpan(m.Span), Memory<sbyte> m => FromSpan<sbyte>(m.Span),
            ReadOnlyMemory<bool> m => FromSpan(m.Span), Memory<bool> m => FromSpan<bool>(m.Span),
            _ => -1,
        };
        return view != -1;
    }

    private static nint FromSpan<T>(ReadOnlySpan<T> span) where T : unmanaged =>
        Create(MemoryMarshal.AsBytes(span), FormatOf(typeof(T))!.Value, [span.Length]);

    /// <summary>memoryview(bytearray(bytes)).cast(format, shape): a new reference, or 0 with the error set.</summary>
    private static nint Create(ReadOnlySpan<byte> bytes, char format, ReadOnlySpan<int> shape)
    {
        PyObject storage;
        fixed (byte* p = bytes)
            storage = PyObject.Steal(Py.PyByteArray_FromStringAndSize(p, bytes.Length));
        using (storage)
        {
            using var bytesView = PyObject.Steal(storage.IsNull ? 0 : Py.PyMemoryView_FromObject(storage.Handle));
            using var cast = bytesView.IsNull ? default : Py.GetAttr(bytesView.Handle, "cast");
            if (cast.IsNull)
                return 0;
            using var formatText = PyObject.Steal(Py.FromString(format.ToString()));
            // memoryview.cast refuses a shape with a zero in it: an empty array stays one-dimensional.
            if (shape.Length == 1 || bytes.IsEmpty)
            {
                using var flatArgs = PyObject.Steal(Py.Tuple(formatText.Handle));
                return Py.PyObject_CallObject(cast.Handle, flatArgs.Handle);
            }
            using var dimensions = PyObject.Steal(Py.PyTuple_New(shape.Length));
            for (var i = 0; i < shape.Length; i++)
                Py.PyTuple_SetItem(dimensions.Handle, i, Py.PyLong_FromLongLong(shape[i]));
            using var args = PyObject.Steal(Py.Tuple(formatText.Handle, dimensions.Handle));
            return Py.PyObject_CallObject(cast.Handle, args.Handle);
        }
    }

    /// <summary>
    /// Copies the C-contiguous buffer of <paramref name="obj"/> into a new <typeparamref name="T"/>[]. False
    /// with a null <paramref name="mismatch"/> when the object has no buffer; false with the reason when its
    /// buffer is not contiguous or holds another element type.
    /// </summary>
    public static bool TryRead<T>(nint obj, out T[] data, out int[] shape, out string? mismatch) where T : unmanaged
    {
        data = [];
        shape = [];
        mismatch = null;
        PyBufferView view;
        if (Py.PyObject_GetBuffer(obj, &view, Py.BufferCContiguous | Py.BufferFormat) != 0)
        {
            using var error = Py.TakeException();
            if (Py.PyErr_GivenExceptionMatches(Py.TypeOf(error.Handle), Py.PyExc_TypeError) == 0)
                mismatch = $"its buffer cannot be read as one C-contiguous block ({Py.Str(error.Handle)})";
            return false;
        }
        try
        {
            var format = view.Format == 0 ? "B" : Marshal.PtrToStringUTF8(view.Format)!;
            if (!Fits<T>(format, view.ItemSize))
            {
                mismatch = $"its buffer holds format '{format}' items of {view.ItemSize} bytes, not {Typed.TypeNames.Of(typeof(T))}";
                return false;
            }
            shape = new int[view.NDim];
            for (var i = 0; i < shape.Length; i++)
                shape[i] = checked((int)((nint*)view.Shape)[i]);
            data = new T[checked((int)(view.Len / view.ItemSize))];
            new ReadOnlySpan<byte>((void*)view.Buf, checked((int)view.Len)).CopyTo(MemoryMarshal.AsBytes(data.AsSpan()));
            return true;
        }
        finally
        {
            Py.PyBuffer_Release(&view);
        }
    }

    /// <summary>Whether a struct-module format (native or little-endian, one item) holds <typeparamref name="T"/> values.</summary>
    private static bool Fits<T>(string format, nint itemSize) where T : unmanaged
    {
        if (format.Length == 2 && format[0] is '@' or '=' or '<')
            format = format[1..];
        if (format.Length != 1 || itemSize != Unsafe.SizeOf<T>())
            return false;
        var code = format[0];
        var expected = FormatOf(typeof(T))!.Value;
        if (expected == 'd' || expected == 'f') return code == expected;
        if (expected == '?') return code == '?';
        var signed = char.IsLower(expected);
        return signed ? "bhilqn".Contains(code) : "BHILQNc".Contains(code);
    }
}

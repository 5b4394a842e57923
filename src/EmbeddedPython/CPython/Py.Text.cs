using System.Runtime.InteropServices;
using System.Text;

namespace EmbeddedPython.CPython;

internal static unsafe partial class Py
{
    public static delegate* unmanaged<char*, nint, nint, int*, nint> PyUnicode_DecodeUTF16;
    public static delegate* unmanaged<nint, nint*, byte*> PyUnicode_AsUTF8AndSize;
    public static delegate* unmanaged<byte*, nint> PyUnicode_InternFromString;
    public static delegate* unmanaged<byte*, nint, nint> PyBytes_FromStringAndSize;
    public static delegate* unmanaged<nint, byte**, nint*, int> PyBytes_AsStringAndSize;
    public static delegate* unmanaged<nint, byte*> PyByteArray_AsString;
    public static delegate* unmanaged<nint, nint> PyByteArray_Size;

    private static void BindText(LibPython lib)
    {
        PyUnicode_DecodeUTF16 = (delegate* unmanaged<char*, nint, nint, int*, nint>)lib.Export(nameof(PyUnicode_DecodeUTF16));
        PyUnicode_AsUTF8AndSize = (delegate* unmanaged<nint, nint*, byte*>)lib.Export(nameof(PyUnicode_AsUTF8AndSize));
        PyUnicode_InternFromString = (delegate* unmanaged<byte*, nint>)lib.Export(nameof(PyUnicode_InternFromString));
        PyBytes_FromStringAndSize = (delegate* unmanaged<byte*, nint, nint>)lib.Export(nameof(PyBytes_FromStringAndSize));
        PyBytes_AsStringAndSize = (delegate* unmanaged<nint, byte**, nint*, int>)lib.Export(nameof(PyBytes_AsStringAndSize));
        PyByteArray_AsString = (delegate* unmanaged<nint, byte*>)lib.Export(nameof(PyByteArray_AsString));
        PyByteArray_Size = (delegate* unmanaged<nint, nint>)lib.Export(nameof(PyByteArray_Size));
    }

    /// <summary>A new str from .NET text (UTF-16 passed straight through, surrogate pairs included).</summary>
    public static nint FromString(string text)
    {
        int byteOrder = -1; // little endian, no BOM expected
        fixed (char* chars = text)
            return PyUnicode_DecodeUTF16(chars, text.Length * 2, 0, &byteOrder);
    }

    /// <summary>A new interned str, for names used again and again (dictionary keys, attribute names).</summary>
    public static nint Intern(string text)
    {
        var utf8 = Encoding.UTF8.GetBytes(text + "\0");
        fixed (byte* p = utf8)
            return PyUnicode_InternFromString(p);
    }

    /// <summary>Reads a str; null (with the Python error cleared) when it cannot be UTF-8 (lone surrogates).</summary>
    public static string? AsString(nint str)
    {
        nint size;
        var data = PyUnicode_AsUTF8AndSize(str, &size);
        if (data is null)
        {
            PyErr_Clear();
            return null;
        }
        return size == 0 ? string.Empty : Encoding.UTF8.GetString(data, checked((int)size));
    }

    /// <summary>str(obj) as .NET text, or the given fallback when even that fails.</summary>
    public static string Str(nint obj, string fallback = "<unprintable>")
    {
        using var text = PyObject.Steal(PyObject_Str(obj));
        if (text.IsNull)
        {
            PyErr_Clear();
            return fallback;
        }
        return AsString(text.Handle) ?? fallback;
    }

    /// <summary>A NUL-terminated UTF-8 copy in unmanaged memory that lives for the process (names the C API keeps).</summary>
    public static nint PermanentUtf8(string text) => Marshal.StringToCoTaskMemUTF8(text);
}

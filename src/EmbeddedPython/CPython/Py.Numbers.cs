namespace EmbeddedPython.CPython;

internal static unsafe partial class Py
{
    public static delegate* unmanaged<long, nint> PyLong_FromLongLong;
    public static delegate* unmanaged<ulong, nint> PyLong_FromUnsignedLongLong;
    public static delegate* unmanaged<nint, int*, long> PyLong_AsLongLongAndOverflow;
    public static delegate* unmanaged<nint, nint*, int, nint> PyLong_FromString;
    public static delegate* unmanaged<nint, int, nint> PyNumber_ToBase;
    public static delegate* unmanaged<double, nint> PyFloat_FromDouble;
    public static delegate* unmanaged<nint, double> PyFloat_AsDouble;

    private static void BindNumbers(LibPython lib)
    {
        PyLong_FromLongLong = (delegate* unmanaged<long, nint>)lib.Export(nameof(PyLong_FromLongLong));
        PyLong_FromUnsignedLongLong = (delegate* unmanaged<ulong, nint>)lib.Export(nameof(PyLong_FromUnsignedLongLong));
        PyLong_AsLongLongAndOverflow = (delegate* unmanaged<nint, int*, long>)lib.Export(nameof(PyLong_AsLongLongAndOverflow));
        PyLong_FromString = (delegate* unmanaged<nint, nint*, int, nint>)lib.Export(nameof(PyLong_FromString));
        PyNumber_ToBase = (delegate* unmanaged<nint, int, nint>)lib.Export(nameof(PyNumber_ToBase));
        PyFloat_FromDouble = (delegate* unmanaged<double, nint>)lib.Export(nameof(PyFloat_FromDouble));
        PyFloat_AsDouble = (delegate* unmanaged<nint, double>)lib.Export(nameof(PyFloat_AsDouble));
    }
}

using System.Globalization;
using System.Numerics;
using EmbeddedPython.CPython;

namespace EmbeddedPython.Marshalling;

/// <summary>
/// Conversions to and from a .NET type named by the caller (DESIGN §3b, typed results). A value that does not
/// fit throws <see cref="PythonConversionException"/> naming its path. Must be called holding the GIL.
/// </summary>
internal static class TypedConversion
{
    /// <summary>Wraps a borrowed Python object into a <c>PythonObject</c> handle; set by the call API.</summary>
    public static Func<nint, object>? HandleFactory { get; set; }

    /// <summary>Converts the borrowed <paramref name="obj"/> to <typeparamref name="T"/>.</summary>
    public static T FromPython<T>(nint obj, string path)
    {
        if (!Marshalling.FromPython.TryConvert(obj, out var value))
            throw new PythonConversionException(path, $"{Py.TypeName(obj)} does not convert to {typeof(T).Name}");
        return FromValue<T>(value, path);
    }

    /// <summary>Converts <paramref name="value"/> to a new Python object.</summary>
    public static PyObject ToPython(object? value, string path) => Marshalling.ToPython.Convert(value, path);

    private static T FromValue<T>(object? value, string path)
    {
        if (value is T typed)
            return typed;
        var target = Nullable.GetUnderlyingType(typeof(T)) ?? typeof(T);
        try
        {
            return value switch
            {
                long or BigInteger when target == typeof(double) || target == typeof(float) || IsInteger(target) =>
                    (T)System.Convert.ChangeType(value, target, CultureInfo.InvariantCulture),
                _ => throw new PythonConversionException(path, $"{value?.GetType().Name ?? "None"} is not a {target.Name}"),
            };
        }
        catch (OverflowException)
        {
            throw new PythonConversionException(path, $"{value} is out of the range of {target.Name}");
        }
    }

    private static bool IsInteger(Type type) =>
        type == typeof(int) || type == typeof(short) || type == typeof(sbyte) || type == typeof(byte) ||
        type == typeof(ushort) || type == typeof(uint) || type == typeof(ulong) || type == typeof(long);
}

using EmbeddedPython.Marshalling;

namespace EmbeddedPython.Calls;

/// <summary>Python values to the <typeparamref name="T"/> a caller asked for: a handle for
/// <see cref="PythonObject"/>, the untyped conversion (DESIGN §4) for <see cref="object"/>, otherwise
/// <see cref="TypedConversion"/>. Interpreter thread only.</summary>
internal static class CallConversion<T>
{
    public static T FromPython(nint obj, string path)
    {
        if (typeof(T) == typeof(PythonObject))
            return (T)(object)HandleTable.Wrap(obj);
        if (typeof(T) == typeof(object))
        {
            if (!Marshalling.FromPython.TryConvert(obj, out var value))
                throw new PythonConversionException(path, $"{CPython.Py.TypeName(obj)} does not convert to a .NET value (ask for a PythonObject to keep it)");
            return (T)value!;
        }
        return TypedConversion.FromPython<T>(obj, path);
    }

    /// <summary>The same, boxed, for callers that know the type only at run time (delegate parameters).</summary>
    public static object? Boxed(nint obj, string path) => FromPython(obj, path);
}

using System.Diagnostics.CodeAnalysis;
using EmbeddedPython.CPython;
using EmbeddedPython.Marshalling.Typed;

namespace EmbeddedPython.Marshalling;

/// <summary>
/// Conversions to and from a .NET type the caller names (DESIGN §3b, typed results and buffers). A value that
/// does not fit throws <see cref="PythonConversionException"/> naming its path, never a silent default. The
/// converter of each type is built once (see <see cref="ConverterFactory"/>). Must be called holding the GIL,
/// except <see cref="FromValue{T}"/>.
/// </summary>
internal static class TypedConversion
{
    /// <summary>Wraps a borrowed Python object into a <c>PythonObject</c> handle; set by the call API.</summary>
    public static Func<nint, object>? HandleFactory { get; set; }

    /// <summary>Converts the borrowed <paramref name="obj"/> to <typeparamref name="T"/>; the error names
    /// <paramref name="path"/> and the place of the value that did not fit under it.</summary>
    public static T FromPython<T>(nint obj, string path)
    {
        try
        {
            return ConverterCache<T>.Instance.Read(PythonValue.Borrowed(obj));
        }
        catch (ConversionFailure failure)
        {
            throw new PythonConversionException(path + failure.Place, failure.Message);
        }
    }

    /// <summary>The same through the converter of a type known only at run time (a delegate's parameters,
    /// <see cref="ConverterFactory.Boxed"/>).</summary>
    public static object? FromPython(IBoxedConverter converter, nint obj, string path)
    {
        try
        {
            return converter.ReadBoxed(PythonValue.Borrowed(obj));
        }
        catch (ConversionFailure failure)
        {
            throw new PythonConversionException(path + failure.Place, failure.Message);
        }
    }

    /// <summary>Converts a value the untyped conversion (DESIGN §4) produced to <typeparamref name="T"/>, with
    /// the same rules as <see cref="FromPython{T}"/>. Needs no GIL.</summary>
    public static T FromValue<T>(object? value, string path)
    {
        if (value is T same)
            return same;
        try
        {
            return ConverterCache<T>.Instance.Read(new ConvertedValue(value));
        }
        catch (ConversionFailure failure)
        {
            throw new PythonConversionException(path + failure.Place, failure.Message);
        }
    }

    /// <summary>Converts <paramref name="value"/> to a new Python object as <see cref="ToPython.Convert"/> does,
    /// except that arrays of primitive numbers become buffers (memoryviews) rather than lists.</summary>
    public static PyObject ToPython(object? value, string path) => Marshalling.ToPython.Convert(value, path, arraysAsBuffers: true);
}

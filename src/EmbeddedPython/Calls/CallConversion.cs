using EmbeddedPython.Marshalling;

namespace EmbeddedPython.Calls;

/// <summary>Python values to the <typeparamref name="T"/> a caller asked for, through <see cref="TypedConversion"/>
/// (a <see cref="PythonObject"/> comes from <see cref="TypedConversion.HandleFactory"/>); interpreter thread only.</summary>
internal static class CallConversion<T>
{
    public static T FromPython(nint obj, string path) => TypedConversion.FromPython<T>(obj, path);
}

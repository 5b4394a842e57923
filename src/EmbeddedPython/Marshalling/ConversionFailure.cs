namespace EmbeddedPython.Marshalling;

/// <summary>
/// Thrown inside a conversion; containers prefix the place of the failing element on the way out
/// (<c>[3]</c>, <c>.price</c>), so that no path text is built while conversions succeed.
/// </summary>
internal sealed class ConversionFailure(string message, Exception? inner = null) : Exception(message, inner)
{
    public string Place { get; private set; } = "";

    public ConversionFailure At(string segment)
    {
        Place = segment + Place;
        return this;
    }
}

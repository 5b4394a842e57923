namespace EmbeddedPython.Vantiq.Connection;

/// <summary>The server refused the connector's token. The original treated this as fatal; here it is
/// retried with the longest back-off unless failOnConnectionError is set.</summary>
internal sealed class VantiqAuthenticationException : Exception
{
    public VantiqAuthenticationException(string message) : base(message)
    {
    }
}

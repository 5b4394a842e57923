using Grpc.Core;

namespace EmbeddedPython.Grpc.Client;

/// <summary>The remote executor could not get a request run, or lost it: no server reachable, the server
/// refused the caller (<c>UNAUTHENTICATED</c>, <c>PERMISSION_DENIED</c>), or the connection broke while the
/// request ran. Python's own errors, time limits and bad requests keep their in-process exception types.</summary>
public sealed class RemoteExecutorException : Exception
{
    /// <summary>Creates the exception.</summary>
    public RemoteExecutorException(string message, StatusCode statusCode, bool mayHaveRun, Exception? innerException = null)
        : base(message, innerException)
    {
        StatusCode = statusCode;
        MayHaveRun = mayHaveRun;
    }

    /// <summary>The gRPC status the call ended with.</summary>
    public StatusCode StatusCode { get; }

    /// <summary>True when the request had reached a server (it sent its response headers) before the failure, so
    /// its code may have run there, wholly or in part; it was not retried. False: it ran nowhere.</summary>
    public bool MayHaveRun { get; }
}

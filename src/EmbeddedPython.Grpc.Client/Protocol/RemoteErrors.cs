using EmbeddedPython.Grpc.V1;
using Grpc.Core;

namespace EmbeddedPython.Grpc.Client.Protocol;

/// <summary>Turns a failed call back into the exception the in-process executor throws for the same failure:
/// the server's <see cref="PythonError"/> detail becomes a <see cref="PythonException"/> with its type, message and
/// traceback; time limits a <see cref="PythonTimeoutException"/>; a malformed request an <see cref="ArgumentException"/>.
/// What only a remote call can suffer becomes a <see cref="RemoteExecutorException"/>.</summary>
internal static class RemoteErrors
{
    // Set by the server (CallHandler.ConversionPathTrailer) when a result had no .NET form.
    private const string ConversionPathTrailer = "python-conversion-path";

    /// <param name="error">The failure.</param>
    /// <param name="server">The configured address, for the message.</param>
    /// <param name="reached">The server had sent its response headers: the request may have run.</param>
    /// <param name="timeout">The time limit the request ran under, when one was set.</param>
    public static Exception From(RpcException error, string server, bool reached, TimeSpan? timeout)
    {
        var python = error.GetRpcStatus()?.GetDetail<PythonError>();
        var detail = error.Status.Detail;
        switch (error.StatusCode)
        {
            case StatusCode.DeadlineExceeded:
                return new PythonTimeoutException(python?.Message is { Length: > 0 } text ? text
                    : $"The request's time limit{(timeout is { } t ? $" of {t}" : "")} ran out (the gRPC deadline); the server interrupted the code.");
            case StatusCode.InvalidArgument when python is { Phase: PythonError.Types.Phase.Compile }:
            case StatusCode.Unknown or StatusCode.ResourceExhausted when python is not null:
                return ToPython(python, detail);
            case StatusCode.InvalidArgument or StatusCode.NotFound:
                return new ArgumentException($"The server refused the request: {detail}");
            case StatusCode.FailedPrecondition when error.Trailers.GetValue(ConversionPathTrailer) is { } path:
                var message = detail.StartsWith(path + ": ", StringComparison.Ordinal) ? detail[(path.Length + 2)..] : detail;
                return new PythonConversionException(path, message + " (on the server, before the result could be sent)");
            case StatusCode.Unauthenticated:
                return new RemoteExecutorException($"The Python server at {server} refused the call as unauthenticated ({detail}): "
                    + "set RemotePythonExecutorOptions.BearerTokenProvider, or a client certificate through ConfigureHttpHandler, as the server requires.", error.StatusCode, mayHaveRun: false, error);
            case StatusCode.PermissionDenied:
                return new RemoteExecutorException($"The Python server at {server} does not let this caller run code ({detail}): "
                    + "the token or certificate is valid but lacks what the server's authorization policy asks for.", error.StatusCode, mayHaveRun: false, error);
            case StatusCode.Unimplemented:
                return new RemoteExecutorException($"The server at {server} does not serve this method ({detail}); it may run an older EmbeddedPython.Grpc.", error.StatusCode, mayHaveRun: false, error);
            case StatusCode.Unavailable or StatusCode.Internal or StatusCode.Unknown or StatusCode.Cancelled when reached:
                return new RemoteExecutorException($"The connection to the Python server at {server} was lost while the request ran there ({error.StatusCode}: {detail}); "
                    + "its code may have run, wholly or in part, and it was not sent again.", error.StatusCode, mayHaveRun: true, error);
            case StatusCode.Unavailable:
                return new RemoteExecutorException($"No Python server at {server} took the request ({detail}); it ran nowhere.", error.StatusCode, mayHaveRun: false, error);
            default:
                return new RemoteExecutorException($"The call to the Python server at {server} failed with {error.StatusCode}: {detail}", error.StatusCode, reached, error);
        }
    }

    private static PythonException ToPython(PythonError error, string detail)
    {
        if (error.Module == "embedded_python" && error.Type == "embedded_python.Failed")
            return new PythonFailedException(detail, Reported(error.Message));
        var type = error.Module is "builtins" or "" ? error.Type : $"{error.Module}.{error.Type}";
        return new PythonException(type, error.Message, error.Traceback.Length == 0 ? null : error.Traceback,
            error.HasSyntaxLine ? (int)error.SyntaxLine : null, error.HasSyntaxOffset ? (int)error.SyntaxOffset : null);
    }

    // What the code passed to fail(), as JSON text (bounded by the server, so it may not parse).
    private static object? Reported(string json)
    {
        try
        {
            return WireValues.Read(json, "error");
        }
        catch (FormatException)
        {
            return json;
        }
    }
}

using Grpc.Core;
using Microsoft.Extensions.Logging;

namespace EmbeddedPython.Grpc.Diagnostics;

/// <summary>The package's log messages.</summary>
internal static partial class Log
{
    [LoggerMessage(Level = LogLevel.Debug, Message = "Request '{RequestId}' ended with {Code}: {Detail}")]
    public static partial void CallFailed(this ILogger logger, string requestId, StatusCode code, string detail);

    [LoggerMessage(Level = LogLevel.Error, Message = "Request '{RequestId}' failed inside the host")]
    public static partial void InternalError(this ILogger logger, Exception exception, string requestId);
}

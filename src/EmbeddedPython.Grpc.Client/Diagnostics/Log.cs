using Grpc.Core;
using Microsoft.Extensions.Logging;

namespace EmbeddedPython.Grpc.Client.Diagnostics;

/// <summary>The remote executor's log messages.</summary>
internal static partial class Log
{
    [LoggerMessage(Level = LogLevel.Debug, Message = "{Method} '{RequestId}' ended with {Code}: {Detail}")]
    public static partial void CallFailed(ILogger logger, string method, string requestId, StatusCode code, string detail);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Method} '{RequestId}' lost its server while it ran ({Code}); it was not retried and may have run")]
    public static partial void CallLost(ILogger logger, string method, string requestId, StatusCode code);
}

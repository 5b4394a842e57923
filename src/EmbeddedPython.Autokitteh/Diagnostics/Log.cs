using Grpc.Core;
using Microsoft.Extensions.Logging;

namespace EmbeddedPython.Autokitteh.Diagnostics;

/// <summary>The package's log messages.</summary>
internal static partial class Log
{
    [LoggerMessage(Level = LogLevel.Information, Message = "autokitteh runner stops ({Reason}), exit code {ExitCode}")]
    public static partial void Stopping(this ILogger logger, string reason, int exitCode);

    [LoggerMessage(Level = LogLevel.Information, Message = "autokitteh session starts at {EntryPoint} (durable: {IsDurable})")]
    public static partial void SessionStarting(this ILogger logger, string entryPoint, bool isDurable);

    [LoggerMessage(Level = LogLevel.Error, Message = "The autokitteh session failed in the host")]
    public static partial void SessionFailed(this ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Error, Message = "The autokitteh worker at {Address} is not available: {Detail}")]
    public static partial void WorkerNotAvailable(this ILogger logger, string address, string detail);

    [LoggerMessage(Level = LogLevel.Error, Message = "A call to the autokitteh worker could not be made")]
    public static partial void SendFailed(this ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A call to the autokitteh worker failed with {Code}: {Detail}")]
    public static partial void WorkerCallFailed(this ILogger logger, StatusCode code, string detail);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The configuration section '{Obsolete}' is deprecated: the autokitteh runner's settings now live in '{Current}'. They were read from '{Obsolete}' this time; move them.")]
    public static partial void ObsoleteSection(this ILogger logger, string obsolete, string current);
}

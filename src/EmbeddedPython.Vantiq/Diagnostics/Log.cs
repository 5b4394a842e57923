using Microsoft.Extensions.Logging;

namespace EmbeddedPython.Vantiq.Diagnostics;

/// <summary>The connector's log messages.</summary>
internal static partial class Log
{
    [LoggerMessage(1, LogLevel.Information, "Running connector for Vantiq source {Source} ({Url})")]
    public static partial void Connected(ILogger logger, string source, Uri url);

    // The reason only, not the stack: a server that is down produces this line at every retry.
    [LoggerMessage(2, LogLevel.Warning, "Vantiq source {Source}: connection failed ({Failures} in a row), retrying in {Delay}: {Reason}")]
    public static partial void ConnectionFailed(ILogger logger, string source, int failures, TimeSpan delay, string reason);

    [LoggerMessage(3, LogLevel.Warning, "Vantiq source {Source}: connectExtension refused with {Status} ({Body}), retrying in {Delay}")]
    public static partial void ConnectRefused(ILogger logger, string source, int status, string body, TimeSpan delay);

    [LoggerMessage(4, LogLevel.Information, "Vantiq source {Source}: reconnecting ({Reason})")]
    public static partial void Reconnecting(ILogger logger, string source, string reason);

    [LoggerMessage(5, LogLevel.Warning, "Vantiq source {Source}: unexpected call to publish handler with {Object}")]
    public static partial void Publish(ILogger logger, string source, string @object);

    [LoggerMessage(6, LogLevel.Warning, "Vantiq source {Source}: a query without a reply address ({Header}) cannot be answered")]
    public static partial void NoReplyAddress(ILogger logger, string source, string header);

    [LoggerMessage(7, LogLevel.Warning, "Vantiq source {Source}: ignored message: {Reason}")]
    public static partial void Ignored(ILogger logger, string source, string reason);

    [LoggerMessage(8, LogLevel.Error, "Vantiq source {Source}: the server reported {Status}: {Body}")]
    public static partial void ServerError(ILogger logger, string source, int status, string body);

    [LoggerMessage(9, LogLevel.Warning, "Vantiq source {Source}: dropped an outgoing frame of {Bytes} bytes that waited longer than its lifetime")]
    public static partial void FrameExpired(ILogger logger, string source, int bytes);

    [LoggerMessage(10, LogLevel.Warning, "Vantiq source {Source}: the outgoing queue is full; dropped a reply of {Bytes} bytes")]
    public static partial void QueueFull(ILogger logger, string source, int bytes);

    [LoggerMessage(11, LogLevel.Critical, "Vantiq source {Source}: connection failed and failOnConnectionError is set; stopping the application")]
    public static partial void FailingFast(ILogger logger, string source, Exception error);

    [LoggerMessage(12, LogLevel.Error, "Vantiq source {Source}: a query failed unexpectedly")]
    public static partial void QueryCrashed(ILogger logger, string source, Exception error);

    [LoggerMessage(13, LogLevel.Warning, "The configuration section {Legacy} is deprecated and was read: move its settings to {Current} (they are the same)")]
    public static partial void DeprecatedSection(ILogger logger, string legacy, string current);

    [LoggerMessage(14, LogLevel.Warning, "The deprecated configuration section {Legacy} is ignored because {Current} is present: remove it")]
    public static partial void DeprecatedSectionIgnored(ILogger logger, string legacy, string current);
}

using Microsoft.Extensions.Logging;

namespace EmbeddedPython.Tasks.Diagnostics;

/// <summary>Log messages of the task host.</summary>
internal static partial class Log
{
    [LoggerMessage(1, LogLevel.Information, "Task {Pid} started: {Script} of {Application} (parent {ParentPid})")]
    public static partial void TaskStarted(ILogger logger, Guid pid, string script, string application, Guid? parentPid);

    [LoggerMessage(2, LogLevel.Information, "Task {Pid} ended {State}: {Reason}")]
    public static partial void TaskEnded(ILogger logger, Guid pid, string state, string? reason);

    [LoggerMessage(3, LogLevel.Debug, "Task {Pid} {Stream}: {Text}")]
    public static partial void TaskOutput(ILogger logger, Guid pid, string stream, string text);

    [LoggerMessage(4, LogLevel.Warning, "Task {Pid} could not start child {Script}: {Error}")]
    public static partial void ChildRefused(ILogger logger, Guid pid, string script, string error);

    [LoggerMessage(5, LogLevel.Information, "Task websocket endpoint listening on {Address}")]
    public static partial void WebSocketListening(ILogger logger, string address);

    [LoggerMessage(6, LogLevel.Warning, "Websocket connection {Connection} to task {Pid} failed")]
    public static partial void WebSocketFailed(ILogger logger, Exception error, long connection, Guid pid);

    [LoggerMessage(7, LogLevel.Error, "A callback from the tasks' Python side failed")]
    public static partial void CallbackFailed(ILogger logger, Exception error);

}

using Microsoft.Extensions.Logging;

namespace EmbeddedPython.WasmCloud.Diagnostics;

internal static partial class Log
{
    [LoggerMessage(1, LogLevel.Information, "wasmCloud provider {ProviderKey} (link {LinkName}, lattice {Lattice}) serving on {Url}; host {HostId}")]
    public static partial void Serving(ILogger logger, string providerKey, string linkName, string lattice, string url, string hostId);

    [LoggerMessage(2, LogLevel.Information, "Link put: actor {ActorId}, contract {ContractId}, link {LinkName}")]
    public static partial void LinkPut(ILogger logger, string actorId, string contractId, string linkName);

    [LoggerMessage(3, LogLevel.Information, "Link deleted: actor {ActorId}")]
    public static partial void LinkDeleted(ILogger logger, string actorId);

    [LoggerMessage(4, LogLevel.Warning, "Ignored a malformed {What} message: {Reason}")]
    public static partial void Malformed(ILogger logger, string what, string reason);

    [LoggerMessage(5, LogLevel.Warning, "Invocation {InvocationId} ({Operation}) from {Origin} failed: {Error}")]
    public static partial void InvocationFailed(ILogger logger, string invocationId, string operation, string origin, string error);

    [LoggerMessage(6, LogLevel.Information, "Shutdown requested by host {HostId}")]
    public static partial void ShuttingDown(ILogger logger, string hostId);

    [LoggerMessage(7, LogLevel.Debug, "Shutdown request for another host ({HostId}) ignored")]
    public static partial void ShutdownIgnored(ILogger logger, string hostId);

    [LoggerMessage(8, LogLevel.Warning, "Could not delete chunked object {Name}: {Reason}")]
    public static partial void ChunkDeleteFailed(ILogger logger, string name, string reason);

    [LoggerMessage(9, LogLevel.Error, "Could not send the reply to invocation {InvocationId}")]
    public static partial void ReplyFailed(ILogger logger, Exception error, string invocationId);

    [LoggerMessage(10, LogLevel.Error, "Handling a message on {Subject} failed")]
    public static partial void HandlerFailed(ILogger logger, Exception error, string subject);

    [LoggerMessage(11, LogLevel.Information, "The host updated the provider's config; Python modules loaded again")]
    public static partial void ConfigUpdated(ILogger logger);

    [LoggerMessage(12, LogLevel.Warning, "Configuration section {OldSection} is deprecated and still read: move its settings to {Section}, which wins where both set a value")]
    public static partial void DeprecatedSection(ILogger logger, string oldSection, string section);
}

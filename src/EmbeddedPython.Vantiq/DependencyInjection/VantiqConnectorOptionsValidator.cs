using System.Net;
using EmbeddedPython.Vantiq.Protocol;
using Microsoft.Extensions.Options;

namespace EmbeddedPython.Vantiq.DependencyInjection;

/// <summary>Checks the connector's settings when the host starts, naming each one that is wrong.</summary>
internal sealed class VantiqConnectorOptionsValidator : IValidateOptions<VantiqConnectorOptions>
{
    public ValidateOptionsResult Validate(string? name, VantiqConnectorOptions options)
    {
        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(options.TargetServer))
            failures.Add($"EmbeddedPython:Vantiq:TargetServer (targetServer in server.config) is required. Working directory: {Environment.CurrentDirectory}.");
        else
        {
            try
            {
                VantiqUrls.WebSocket(options.TargetServer);
            }
            catch (ArgumentException e)
            {
                failures.Add(e.Message);
            }
        }
        if (options.Sources.Count == 0 || options.Sources.Any(string.IsNullOrWhiteSpace))
            failures.Add("EmbeddedPython:Vantiq:Sources (sources in server.config) must name at least one source, and no empty name.");
        foreach (var twice in options.Sources.GroupBy(s => s, StringComparer.Ordinal).Where(g => g.Count() > 1))
            failures.Add($"EmbeddedPython:Vantiq:Sources names source '{twice.Key}' more than once; each source has one connection.");
        if (options.QueryTimeout <= TimeSpan.Zero)
            failures.Add("EmbeddedPython:Vantiq:QueryTimeout must be positive.");
        if (options.MaxIncomingMessageBytes < 1024)
            failures.Add("EmbeddedPython:Vantiq:MaxIncomingMessageBytes must be at least 1024.");
        if (options.OutgoingQueueCapacity < 1)
            failures.Add("EmbeddedPython:Vantiq:OutgoingQueueCapacity must be at least 1.");
        if (options.OutgoingFrameLifetime <= TimeSpan.Zero || options.ReconnectDelay <= TimeSpan.Zero || options.MaxReconnectDelay < options.ReconnectDelay)
            failures.Add("EmbeddedPython:Vantiq:OutgoingFrameLifetime and ReconnectDelay must be positive, and MaxReconnectDelay at least ReconnectDelay.");
        if (options.PingInterval <= TimeSpan.Zero)
            failures.Add("EmbeddedPython:Vantiq:PingInterval must be positive.");
        if (options.HandshakeTimeout <= TimeSpan.Zero)
            failures.Add("EmbeddedPython:Vantiq:HandshakeTimeout must be positive.");
        if (options.TcpProbePort is < 0 or > 65535)
            failures.Add($"EmbeddedPython:Vantiq:TcpProbePort {options.TcpProbePort} is not a port number.");
        if (!IPAddress.TryParse(options.TcpProbeAddress, out _))
            failures.Add($"EmbeddedPython:Vantiq:TcpProbeAddress '{options.TcpProbeAddress}' is not an IP address.");
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}

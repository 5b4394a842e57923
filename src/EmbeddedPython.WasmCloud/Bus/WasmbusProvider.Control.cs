using System.Text;
using EmbeddedPython.WasmCloud.Diagnostics;
using EmbeddedPython.WasmCloud.Wire;
using NATS.Client.Core;

namespace EmbeddedPython.WasmCloud.Bus;

internal sealed partial class WasmbusProvider
{
    private static readonly byte[] ShuttingDown = Encoding.UTF8.GetBytes("shutting down");

    // The control subjects of 0.x (spec §4): link put and delete, health, shutdown.

    private ValueTask OnLinkPut(NatsMsg<byte[]> message)
    {
        if (ReadLink(message.Data, "linkdefs.put") is { } link)
            PutLink(link);
        return ValueTask.CompletedTask;
    }

    private void PutLink(LinkDefinition link)
    {
        // A repeated put for a linked actor is ignored (spec §4); the Python provider keeps no per-link state.
        if (_links.TryAdd(link.ActorId, link))
            Log.LinkPut(_logger, link.ActorId, link.ContractId, link.LinkName);
    }

    private ValueTask OnLinkDelete(NatsMsg<byte[]> message)
    {
        if (ReadLink(message.Data, "linkdefs.del") is { } link && _links.TryRemove(link.ActorId, out _))
            Log.LinkDeleted(_logger, link.ActorId);
        return ValueTask.CompletedTask;
    }

    /// <summary>Link bodies are msgpack from a real host and JSON from the test harness; a JSON object
    /// starts with '{', which is never the first byte of a msgpack map or array, so both are accepted.</summary>
    private LinkDefinition? ReadLink(byte[]? body, string what)
    {
        try
        {
            return body is [(byte)'{', ..] ? JsonEnvelopes.ParseLink(body) : EnvelopeCodec.DecodeLink(body ?? []);
        }
        catch (Exception e) when (e is FormatException or System.Text.Json.JsonException)
        {
            Log.Malformed(_logger, what, e.Message);
            return null;
        }
    }

    private async ValueTask OnHealthAsync(NatsMsg<byte[]> message)
    {
        if (message.ReplyTo is null)
            return;
        var health = new HealthCheckResponse(Healthy: !_stopping.IsCancellationRequested);
        await message.ReplyAsync(_host.IsTestHarness ? JsonEnvelopes.WriteHealth(health) : EnvelopeCodec.EncodeHealth(health)).ConfigureAwait(false);
    }

    private async ValueTask OnShutdownAsync(NatsMsg<byte[]> message, bool requireHostId)
    {
        // As in wasmbus-rpc 0.13: only requests (with a reply subject) count, and one naming another host is
        // ignored; 0.x also obeys one naming no host, 1.x only one naming this host.
        if (message.ReplyTo is null)
            return;
        var hostId = JsonEnvelopes.ShutdownHostId(message.Data ?? []);
        if ((hostId.Length > 0 || requireHostId) && hostId != _host.HostId)
        {
            Log.ShutdownIgnored(_logger, hostId);
            return;
        }
        Log.ShuttingDown(_logger, hostId);
        await message.ReplyAsync(ShuttingDown).ConfigureAwait(false);
        _shutdownRequested.TrySetResult();
    }
}

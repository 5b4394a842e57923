using EmbeddedPython.WasmCloud.Diagnostics;
using EmbeddedPython.WasmCloud.Wire;
using NATS.Client.Core;

namespace EmbeddedPython.WasmCloud.Bus;

internal sealed partial class WasmbusProvider
{
    /// <summary>
    /// The subjects of a wasmCloud 1.x host (spec §12): the JSON control subjects (health, shutdown, link
    /// put/delete, config updates) and the wRPC function components call.
    /// </summary>
    private async Task ServeWasmcloud1xAsync(CancellationToken cancellationToken)
    {
        var prefix = $"wasmbus.rpc.{_host.LatticeRpcPrefix}.{_host.ProviderKey}";
        var linkKey = _host.ProviderXkeyPrivateKey.Length > 0 ? PublicKeyOf(_host.ProviderXkeyPrivateKey) : _host.ProviderKey;
        await ServeAsync(prefix + ".health", null, OnHealth1xAsync, cancellationToken).ConfigureAwait(false);
        await ServeAsync($"wasmbus.rpc.{_host.LatticeRpcPrefix}.{linkKey}.linkdefs.put", null, OnLinkPut, cancellationToken).ConfigureAwait(false);
        await ServeAsync(prefix + ".linkdefs.del", null, OnLinkDelete, cancellationToken).ConfigureAwait(false);
        await ServeAsync(prefix + ".config.update", null, OnConfigUpdateAsync, cancellationToken).ConfigureAwait(false);
        // With link name "default" this is the 0.x shutdown subject, already served (and that handler also
        // obeys a request naming this host, which is all a 1.x host sends).
        if (_host.LinkName != "default")
            await ServeAsync(prefix + ".default.shutdown", null, message => OnShutdownAsync(message, requireHostId: true), cancellationToken).ConfigureAwait(false);
        // Calls from components: queue group = the prefix, as 1.x providers subscribe, so instances share them.
        var wrpc = new WrpcServer(_nats, TimeSpan.FromMilliseconds(Math.Max(_host.DefaultRpcTimeoutMs, 1000)), (operation, payload) => _invocations.CallPythonAsync(operation, payload));
        var wrpcPrefix = $"{_host.LatticeRpcPrefix}.{_host.ProviderKey}";
        await ServeAsync(WrpcServer.Subject(wrpcPrefix), wrpcPrefix,
            message => RunInFlightAsync(() => wrpc.AnswerAsync(message, _stopping.Token)), cancellationToken).ConfigureAwait(false);
    }

    private async ValueTask OnHealth1xAsync(NatsMsg<byte[]> message)
    {
        if (message.ReplyTo is not null)
            await message.ReplyAsync(JsonEnvelopes.WriteHealth(new HealthCheckResponse(!_stopping.IsCancellationRequested))).ConfigureAwait(false);
    }

    private async ValueTask OnConfigUpdateAsync(NatsMsg<byte[]> message)
    {
        Dictionary<string, string> config;
        try
        {
            config = JsonEnvelopes.ParseConfig(message.Data ?? []);
        }
        catch (System.Text.Json.JsonException e)
        {
            Log.Malformed(_logger, "config.update", e.Message);
            return;
        }
        await ConfigUpdated(config).ConfigureAwait(false);
    }

    /// <summary>Called with the new merged named config a 1.x host sends.</summary>
    public Func<IReadOnlyDictionary<string, string>, Task> ConfigUpdated { get; init; } = _ => Task.CompletedTask;
}

using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using System.Threading.Channels;
using EmbeddedPython.WasmCloud.Claims;
using EmbeddedPython.WasmCloud.Diagnostics;
using EmbeddedPython.WasmCloud.Hosting;
using EmbeddedPython.WasmCloud.Python;
using EmbeddedPython.WasmCloud.Wire;
using Microsoft.Extensions.Logging;
using NATS.Client.Core;

namespace EmbeddedPython.WasmCloud.Bus;

/// <summary>
/// The provider on the lattice's NATS. This file: the wasmbus 0.x protocol (spec §3–§8), which serves
/// invocations on <c>wasmbus.rpc.&lt;lattice&gt;.&lt;provider&gt;.&lt;link&gt;</c> in queue group <c>rpc</c>
/// (so several provider processes share the load), keeps the link table, answers health and shutdown.
/// The 1.x subjects are in <c>WasmbusProvider.Wasmcloud1x.cs</c>.
/// </summary>
internal sealed partial class WasmbusProvider : IAsyncDisposable
{
    private static readonly byte[] ShuttingDown = Encoding.UTF8.GetBytes("shutting down");

    private readonly HostData _host;
    private readonly WasmCloudProviderOptions _options;
    private readonly PythonDispatcher _python;
    private readonly ILogger _logger;
    private readonly NatsConnection _nats;
    private readonly ChunkStore _chunks;
    private readonly ConcurrentDictionary<string, LinkDefinition> _links = new();
    private readonly RecentInvocations _recent = new(capacity: 10_000, largestKept: 64 * 1024);
    private long _served;
    private readonly SemaphoreSlim _inFlight;
    private readonly CancellationTokenSource _stopping = new();
    private readonly TaskCompletionSource _shutdownRequested = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly List<Task> _loops = [];
    private readonly List<INatsSub<byte[]>> _subscriptions = [];

    public WasmbusProvider(HostData host, WasmCloudProviderOptions options, PythonDispatcher python, ILogger logger)
    {
        _host = host;
        _options = options;
        _python = python;
        _logger = logger;
        _inFlight = new SemaphoreSlim(options.MaxConcurrentInvocations, options.MaxConcurrentInvocations);
        _nats = new NatsConnection(NatsOpts.Default with
        {
            Url = host.NatsUrl,
            Name = "wasmcloud-python-provider " + host.InstanceId,
            AuthOpts = Credentials(host),
            // Never drop an invocation because this process is busy: let NATS's buffer push back instead.
            SubPendingChannelFullMode = BoundedChannelFullMode.Wait,
            MaxReconnectRetry = -1,
            ReconnectWaitMin = TimeSpan.FromMilliseconds(100),
            ReconnectWaitMax = TimeSpan.FromSeconds(2),
        });
        _chunks = new ChunkStore(_nats, host.LatticeRpcPrefix);
        RpcSubject = $"wasmbus.rpc.{host.LatticeRpcPrefix}.{host.ProviderKey}.{host.LinkName}";
    }

    /// <summary>JWT and seed sign the server's nonce as that user; a seed alone authenticates as its nkey.</summary>
    private static NatsAuthOpts Credentials(HostData host) => (host.LatticeRpcUserJwt, host.LatticeRpcUserSeed) switch
    {
        ("", "") => NatsAuthOpts.Default,
        ("", var seed) => NatsAuthOpts.Default with { NKey = PublicKeyOf(seed), Seed = seed },
        var (jwt, seed) => NatsAuthOpts.Default with { Jwt = jwt, Seed = seed },
    };

    private static string PublicKeyOf(string seed)
    {
        using var pair = NATS.NKeys.KeyPair.FromSeed(seed);
        return pair.GetPublicKey();
    }

    /// <summary>The subject invocations arrive on.</summary>
    public string RpcSubject { get; }

    /// <summary>Completes when the host asked this provider to shut down.</summary>
    public Task ShutdownRequested => _shutdownRequested.Task;

    /// <summary>Invocations this provider ran (repeats of a recent invocation id are not counted).</summary>
    public long Served => Interlocked.Read(ref _served);

    /// <summary>The actors currently linked.</summary>
    public IReadOnlyCollection<string> LinkedActors => _links.Keys.ToArray();

    /// <summary>Connects, takes the links the host sent at start, and subscribes (health last, so that a
    /// healthy answer means everything else is ready).</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await _nats.ConnectAsync().AsTask().WaitAsync(cancellationToken).ConfigureAwait(false);
        foreach (var link in _host.LinkDefinitions)
            PutLink(link);
        await ServeAsync(RpcSubject, "rpc", OnInvocationAsync, cancellationToken).ConfigureAwait(false);
        await ServeAsync(RpcSubject + ".linkdefs.put", null, OnLinkPut, cancellationToken).ConfigureAwait(false);
        await ServeAsync(RpcSubject + ".linkdefs.del", null, OnLinkDelete, cancellationToken).ConfigureAwait(false);
        await ServeAsync(RpcSubject + ".shutdown", null, message => OnShutdownAsync(message, requireHostId: false), cancellationToken).ConfigureAwait(false);
        await ServeWasmcloud1xAsync(cancellationToken).ConfigureAwait(false);
        await ServeAsync(RpcSubject + ".health", null, OnHealthAsync, cancellationToken).ConfigureAwait(false);
        // A round trip to the server: once it answers, it has registered every subscription above.
        await _nats.PingAsync(cancellationToken).ConfigureAwait(false);
        Log.Serving(_logger, _host.ProviderKey, _host.LinkName, _host.LatticeRpcPrefix, _host.NatsUrl, _host.HostId);
    }

    private async Task ServeAsync(string subject, string? queueGroup, Func<NatsMsg<byte[]>, ValueTask> handle, CancellationToken cancellationToken)
    {
        var subscription = await _nats.SubscribeCoreAsync<byte[]>(subject, queueGroup, cancellationToken: cancellationToken).ConfigureAwait(false);
        _subscriptions.Add(subscription);
        _loops.Add(Task.Run(async () =>
        {
            try
            {
                await foreach (var message in subscription.Msgs.ReadAllAsync(_stopping.Token).ConfigureAwait(false))
                {
                    try
                    {
                        await handle(message).ConfigureAwait(false);
                    }
                    catch (Exception e) when (e is not OperationCanceledException)
                    {
                        // One bad message must not end the subscription.
                        Log.HandlerFailed(_logger, e, subject);
                    }
                }
            }
            catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
            {
            }
        }, CancellationToken.None));
    }

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

    private ValueTask OnInvocationAsync(NatsMsg<byte[]> message) => RunInFlightAsync(() => AnswerAsync(message));

    /// <summary>Runs one call in its own task, at most <see cref="WasmCloudProviderOptions.MaxConcurrentInvocations"/> at once.</summary>
    private async ValueTask RunInFlightAsync(Func<Task> answer)
    {
        await _inFlight.WaitAsync(_stopping.Token).ConfigureAwait(false);
        _ = Task.Run(async () =>
        {
            try
            {
                await answer().ConfigureAwait(false);
            }
            catch (Exception e) when (e is NatsException or OperationCanceledException or ObjectDisposedException)
            {
                Log.HandlerFailed(_logger, e, "a call");
            }
            finally
            {
                _inFlight.Release();
            }
        }, CancellationToken.None);
    }

    private async Task AnswerAsync(NatsMsg<byte[]> message)
    {
        var response = await InvokeAsync(message.Data ?? []).ConfigureAwait(false);
        if (message.ReplyTo is null)
            return;
        try
        {
            await message.ReplyAsync(EnvelopeCodec.EncodeResponse(response)).ConfigureAwait(false);
        }
        catch (Exception e) when (e is NatsException or OperationCanceledException or ObjectDisposedException)
        {
            Log.ReplyFailed(_logger, e, response.InvocationId);
        }
    }

    /// <summary>One invocation, from its msgpack bytes to the response; every failure becomes an error
    /// response with the original provider's text (spec §7), never a missing reply.</summary>
    internal async Task<InvocationResponse> InvokeAsync(byte[] body)
    {
        Invocation invocation;
        try
        {
            invocation = EnvelopeCodec.DecodeInvocation(body);
        }
        catch (FormatException e)
        {
            return InvocationResponse.Failure("", "deser error: " + e.Message);
        }
        if (invocation.Id.Length == 0)
            return await RunAsync(invocation).ConfigureAwait(false);
        // Keyed by id and claims together, so a forged message reusing a known id never sees the real answer.
        return await _recent.GetOrRun(invocation.Id + "\n" + invocation.EncodedClaims, () => RunAsync(invocation)).ConfigureAwait(false);
    }

    private async Task<InvocationResponse> RunAsync(Invocation invocation)
    {
        Interlocked.Increment(ref _served);
        var started = Stopwatch.GetTimestamp();
        using var activity = Telemetry.StartInvocation(invocation);
        var response = await InvokeAsync(invocation).ConfigureAwait(false);
        Telemetry.Answered(activity, response, Stopwatch.GetElapsedTime(started));
        if (response.Error is { } error)
            Log.InvocationFailed(_logger, invocation.Id, invocation.Operation, invocation.Origin.PublicKey, error);
        return response;
    }

    private async Task<InvocationResponse> InvokeAsync(Invocation invocation)
    {
        var id = invocation.Id;
        var argument = invocation.Message;
        if (invocation.IsChunked)
        {
            try
            {
                argument = await _chunks.TakeAsync(id, (name, reason) => Log.ChunkDeleteFailed(_logger, name, reason), _stopping.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is NatsException or OperationCanceledException)
            {
                return InvocationResponse.Failure(id, $"could not read the chunked argument '{id}': {e.Message}");
            }
        }
        if (Validate(invocation, argument) is { } invalid)
            return InvocationResponse.Failure(id, invalid);
        var kind = MessageFormat.Classify(argument);
        if (kind is not (PayloadKind.Empty or PayloadKind.Cbor))
            return InvocationResponse.Failure(id, "rpc: invalid message format");
        var (result, error) = await CallPythonAsync(invocation.Operation, kind == PayloadKind.Cbor ? argument.AsMemory(1) : ReadOnlyMemory<byte>.Empty).ConfigureAwait(false);
        if (error is not null)
            return InvocationResponse.Failure(id, error);
        if (result.Length <= _options.ChunkThresholdBytes)
            return new InvocationResponse(result, id, null, (ulong)result.Length);
        try
        {
            await _chunks.PutAsync(id + "-r", result, _stopping.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is NatsException or OperationCanceledException)
        {
            return InvocationResponse.Failure(id, $"could not store the chunked response '{id}-r': {e.Message}");
        }
        return new InvocationResponse([], id, null, (ulong)result.Length);
    }

    /// <summary>The step both front ends share: CBOR argument (none when empty) to Python and the result back
    /// to CBOR, or the original provider's error text.</summary>
    private async Task<(byte[] Result, string? Error)> CallPythonAsync(string operation, ReadOnlyMemory<byte> cbor)
    {
        object? value = null;
        if (!cbor.IsEmpty)
        {
            try
            {
                value = CborValues.Decode(cbor);
            }
            catch (FormatException e)
            {
                return ([], "serialization: " + e.Message);
            }
        }
        var outcome = await _python.InvokeAsync(operation, value, _stopping.Token).ConfigureAwait(false);
        if (outcome.Error is { } error)
            return ([], error);
        try
        {
            return (outcome.Value is null && !_options.NoneAsCborNull ? [] : CborValues.Encode(outcome.Value), null);
        }
        catch (NotSupportedException e)
        {
            return ([], "deserialization: " + e.Message);
        }
    }

    private string? Validate(Invocation invocation, byte[] argument)
    {
        if (_options.VerifyClaims && InvocationClaims.Verify(invocation, argument, _host.ClusterIssuers, DateTimeOffset.UtcNow) is { } invalid)
            return invalid;
        if (invocation.Target.PublicKey != _host.ProviderKey)
            return $"target key mismatch: '{invocation.Target.PublicKey}' is not this provider ('{_host.ProviderKey}')";
        if (!_links.ContainsKey(invocation.Origin.PublicKey))
            return $"unlinked actor: '{invocation.Origin.PublicKey}'";
        return null;
    }

    /// <summary>Stops taking messages, lets the invocations in flight answer, then closes the connection.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_stopping.IsCancellationRequested)
            return;
        foreach (var subscription in _subscriptions)
            await subscription.UnsubscribeAsync().ConfigureAwait(false);
        for (var i = 0; i < _options.MaxConcurrentInvocations; i++)
        {
            if (!await _inFlight.WaitAsync(TimeSpan.FromSeconds(10), cancellationToken).ConfigureAwait(false))
                break;
        }
        await _stopping.CancelAsync().ConfigureAwait(false);
        await Task.WhenAll(_loops).ConfigureAwait(false);
        try
        {
            await _nats.PingAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is NatsException or OperationCanceledException or TimeoutException)
        {
            // The flush before closing is best effort: the replies already went out or never will.
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync(CancellationToken.None).ConfigureAwait(false);
        await _nats.DisposeAsync().ConfigureAwait(false);
        _stopping.Dispose();
        _inFlight.Dispose();
    }
}

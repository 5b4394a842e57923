using System.Collections.Concurrent;
using System.Threading.Channels;
using EmbeddedPython.WasmCloud.Diagnostics;
using EmbeddedPython.WasmCloud.Hosting;
using EmbeddedPython.WasmCloud.Python;
using EmbeddedPython.WasmCloud.Wire;
using Microsoft.Extensions.Logging;
using NATS.Client.Core;

namespace EmbeddedPython.WasmCloud.Bus;

/// <summary>
/// The provider on the lattice's NATS. This file: the connection, the subscriptions and their lifetime; the
/// wasmbus 0.x invocations on <c>wasmbus.rpc.&lt;lattice&gt;.&lt;provider&gt;.&lt;link&gt;</c> arrive in queue
/// group <c>rpc</c> (so several provider processes share the load) and are answered by
/// <see cref="InvocationHandler"/>. Links, health and shutdown are in <c>WasmbusProvider.Control.cs</c>, the
/// 1.x subjects in <c>WasmbusProvider.Wasmcloud1x.cs</c>.
/// </summary>
internal sealed partial class WasmbusProvider : IAsyncDisposable
{
    private readonly HostData _host;
    private readonly WasmCloudProviderOptions _options;
    private readonly ILogger _logger;
    private readonly NatsConnection _nats;
    private readonly InvocationHandler _invocations;
    private readonly ConcurrentDictionary<string, LinkDefinition> _links = new();
    private readonly SemaphoreSlim _inFlight;
    private readonly CancellationTokenSource _stopping = new();
    private readonly TaskCompletionSource _shutdownRequested = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly List<Task> _loops = [];
    private readonly List<INatsSub<byte[]>> _subscriptions = [];

    public WasmbusProvider(HostData host, WasmCloudProviderOptions options, PythonDispatcher python, ILogger logger)
    {
        _host = host;
        _options = options;
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
        _invocations = new InvocationHandler(host, options, python, new ChunkStore(_nats, host.LatticeRpcPrefix), _links.ContainsKey, logger, _stopping.Token);
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
    public long Served => _invocations.Served;

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

    private ValueTask OnInvocationAsync(NatsMsg<byte[]> message) => RunInFlightAsync(() => AnswerAsync(message));

    /// <summary>Starts one call, at most <see cref="WasmCloudProviderOptions.MaxConcurrentInvocations"/> at once. The
    /// only call in flight runs on the subscription's own thread up to its first wait (the Python call,
    /// typically): no hop to another thread first. When others are in flight it runs on the thread pool, so
    /// that claims checks (Ed25519, the largest cost before Python) use every core.</summary>
    private async ValueTask RunInFlightAsync(Func<Task> answer)
    {
        await _inFlight.WaitAsync(_stopping.Token).ConfigureAwait(false);
        if (_inFlight.CurrentCount == _options.MaxConcurrentInvocations - 1)
            _ = AnswerThenReleaseAsync(answer);
        else
            _ = Task.Run(() => AnswerThenReleaseAsync(answer), CancellationToken.None);
    }

    private async Task AnswerThenReleaseAsync(Func<Task> answer)
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
    }

    private async Task AnswerAsync(NatsMsg<byte[]> message)
    {
        var response = await _invocations.InvokeAsync(message.Data ?? []).ConfigureAwait(false);
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

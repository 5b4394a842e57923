using System.Buffers.Text;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using EmbeddedPython.WasmCloud.Claims;
using EmbeddedPython.WasmCloud.Hosting;
using EmbeddedPython.WasmCloud.Wire;
using NATS.Client.Core;
using NATS.NKeys;

namespace EmbeddedPython.Benchmarks.Baselines;

/// <summary>
/// What the wasmCloud scenario needs around the two providers: a real nats-server on a free loopback port
/// (the Debian package, as the adapter's tests use), and a host that signs invocations with its cluster key
/// and sends them. Invocations are signed and encoded before the measurement (a pool per provider, larger than
/// the provider's memory of recent invocation ids), so the figures hold the providers' work, not the host's.
/// </summary>
internal sealed class WasmCloudLattice : IAsyncDisposable
{
    public const string Contract = "wasmcloud:example:python";

    private readonly Process _server;
    private readonly KeyPair _cluster = KeyPair.CreatePair(PrefixByte.Cluster);
    private readonly string _hostId;

    private WasmCloudLattice(Process server, int port)
    {
        _server = server;
        Url = $"nats://127.0.0.1:{port}";
        using var host = KeyPair.CreatePair(PrefixByte.Server);
        _hostId = host.GetPublicKey();
        Nats = new NatsConnection(NatsOpts.Default with { Url = Url });
    }

    public string Url { get; }

    public NatsConnection Nats { get; }

    public string Actor { get; } = RandomKey('M');

    public static async Task<WasmCloudLattice> StartAsync()
    {
        int port;
        using (var probe = new TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            port = ((IPEndPoint)probe.LocalEndpoint).Port;
        }
        var binary = new[] { "/usr/sbin/nats-server", "/usr/bin/nats-server" }.FirstOrDefault(File.Exists)
            ?? throw new InvalidOperationException("nats-server is not installed (apt-get install -y nats-server).");
        var server = Process.Start(new ProcessStartInfo(binary) { ArgumentList = { "-a", "127.0.0.1", "-p", port.ToString() }, RedirectStandardError = true })!;
        server.ErrorDataReceived += (_, _) => { };
        server.BeginErrorReadLine();
        var lattice = new WasmCloudLattice(server, port);
        await lattice.Nats.ConnectAsync();
        return lattice;
    }

    /// <summary>The HostData of a provider on its own lattice prefix, with <see cref="Actor"/> linked.</summary>
    internal HostData HostData(string lattice) => new()
    {
        HostId = _hostId,
        LatticeRpcPrefix = lattice,
        LatticeRpcUrl = Url,
        ProviderKey = RandomKey('V'),
        InstanceId = Guid.NewGuid().ToString(),
        ClusterIssuers = [_cluster.GetPublicKey()],
        LinkDefinitions = [new LinkDefinition(Actor, "", "default", Contract, new Dictionary<string, string>())],
    };

    /// <summary><paramref name="count"/> distinct signed invocations of <paramref name="operation"/>, msgpack-encoded.</summary>
    internal byte[][] Invocations(HostData provider, string operation, object? argument, int count)
    {
        byte[] message = [MessageFormat.CborPrefix, .. CborValues.Encode(argument)];
        var header = Base64Url.EncodeToString(JsonSerializer.SerializeToUtf8Bytes(new { typ = "jwt", alg = "Ed25519" }));
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var signature = new byte[64];
        var pool = new byte[count][];
        for (var i = 0; i < count; i++)
        {
            var invocation = new Invocation(new WasmCloudEntity(Actor, "", ""), new WasmCloudEntity(provider.ProviderKey, provider.LinkName, Contract),
                operation, message, Guid.NewGuid().ToString("N"), "", _hostId);
            var claims = Base64Url.EncodeToString(JsonSerializer.SerializeToUtf8Bytes(new
            {
                jti = Guid.NewGuid().ToString("N"),
                iat = now,
                iss = _cluster.GetPublicKey(),
                sub = invocation.Id,
                exp = now + 24 * 3600,
                wascap_revision = 3,
                wascap = new
                {
                    target_url = InvocationClaims.TargetUrl(invocation),
                    origin_url = InvocationClaims.EntityUrl(invocation.Origin),
                    hash = InvocationClaims.Hash(invocation, message),
                },
            }));
            _cluster.Sign(Encoding.ASCII.GetBytes(header + "." + claims), signature);
            pool[i] = EnvelopeCodec.EncodeInvocation(invocation with { EncodedClaims = header + "." + claims + "." + Base64Url.EncodeToString(signature) });
        }
        return pool;
    }

    /// <summary>Sends one encoded invocation and returns the response's result bytes; throws with its error.</summary>
    internal async Task<byte[]> InvokeAsync(HostData provider, byte[] invocation)
    {
        var reply = await Nats.RequestAsync<byte[], byte[]>($"wasmbus.rpc.{provider.LatticeRpcPrefix}.{provider.ProviderKey}.{provider.LinkName}", invocation);
        var response = EnvelopeCodec.DecodeResponse(reply.Data ?? []);
        return response.Error is null ? response.Message : throw new InvalidOperationException(response.Error);
    }

    /// <summary>Waits until the provider answers health requests (it has subscribed everything).</summary>
    internal async Task WaitUntilServingAsync(HostData provider, Func<string> whyNot)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            try
            {
                await Nats.RequestAsync<byte[], byte[]>($"wasmbus.rpc.{provider.LatticeRpcPrefix}.{provider.ProviderKey}.{provider.LinkName}.health", [0x80],
                    replyOpts: new NatsSubOpts { Timeout = TimeSpan.FromSeconds(2) });
                return;
            }
            catch (NatsNoRespondersException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(100);
            }
            catch (NatsNoRespondersException)
            {
                throw new InvalidOperationException("a provider did not come up: " + whyNot());
            }
        }
    }

    private static string RandomKey(char prefix)
    {
        const string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
        return prefix + new string(Enumerable.Range(0, 55).Select(_ => alphabet[Random.Shared.Next(alphabet.Length)]).ToArray());
    }

    public async ValueTask DisposeAsync()
    {
        await Nats.DisposeAsync();
        _cluster.Dispose();
        _server.Kill();
        await _server.WaitForExitAsync();
        _server.Dispose();
    }
}

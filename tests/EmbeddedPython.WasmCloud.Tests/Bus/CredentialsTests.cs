using EmbeddedPython.WasmCloud.Bus;
using EmbeddedPython.WasmCloud.Python;
using EmbeddedPython.WasmCloud.Tests.Infrastructure;
using EmbeddedPython.WasmCloud.Wire;
using Microsoft.Extensions.Logging;
using NATS.Client.Core;
using NATS.NKeys;

namespace EmbeddedPython.WasmCloud.Tests.Bus;

/// <summary>HostData's lattice credentials are used to connect (spec §3).</summary>
[Collection(LatticeCollection.Name)]
public sealed class CredentialsTests(LatticeFixture lattice)
{
    [Fact]
    public async Task The_provider_signs_the_servers_nonce_with_the_seed_from_HostData()
    {
        using var user = KeyPair.CreatePair(PrefixByte.User);
        await using var server = await NatsServer.StartWithNkeyUserAsync(user.GetPublicKey());
        await using var host = new FakeWasmCloudHost(server.Url, user: user);
        var python = new PythonDispatcher(lattice.Executor, null);
        await python.ConfigureAsync(new PythonModules(null, Path.Combine(LatticeFixture.CopyModules(), "dispatch.py"), null, [], true), CancellationToken.None);

        var withoutSeed = host.CreateHostData(server.Url);
        await using (var refused = new WasmbusProvider(withoutSeed, new WasmCloudProviderOptions(), python, lattice.Logging.CreateLogger<WasmbusProvider>()))
            await Assert.ThrowsAnyAsync<NatsException>(() => refused.StartAsync(new CancellationTokenSource(TimeSpan.FromSeconds(5)).Token));

        await using var provider = new WasmbusProvider(withoutSeed with { LatticeRpcUserSeed = user.GetSeed() }, new WasmCloudProviderOptions(), python, lattice.Logging.CreateLogger<WasmbusProvider>());
        await provider.StartAsync(CancellationToken.None);
        Assert.Equal(new HealthCheckResponse(true), EnvelopeCodec.DecodeHealth(await host.HealthAsync()));
        await python.ReleaseAsync();
    }
}

using System.Collections.Concurrent;
using EmbeddedPython.WasmCloud.Tests.Infrastructure;
using EmbeddedPython.WasmCloud.Wire;
using NATS.Client.Core;

namespace EmbeddedPython.WasmCloud.Tests.Bus;

/// <summary>Several providers share one subject through the queue group; a NATS restart loses nothing.</summary>
[Collection(LatticeCollection.Name)]
public sealed class ScaleAndRecoveryTests(LatticeFixture lattice)
{
    [Fact]
    public async Task Two_provider_instances_in_one_queue_group_share_1000_invocations()
    {
        await using var host = new FakeWasmCloudHost(lattice.Nats.Url);
        var actor = FakeWasmCloudHost.NewActor();
        var modules = LatticeFixture.CopyModules();
        await using var first = await RunningProvider.StartAsync(lattice, host, [actor], modules: modules);
        await using var second = await RunningProvider.StartAsync(lattice, host, [actor], modules: modules);

        var results = await RunBoundedAsync(1000, 50, i => host.CallAsync(actor, "factorial", (long)(i % 15)));

        for (var i = 0; i < results.Length; i++)
            Assert.Equal(Enumerable.Range(2, Math.Max(0, i % 15 - 1)).Aggregate(1L, (a, b) => a * b), results[i]);
        Assert.Equal(1000, first.Provider.Served + second.Provider.Served);
        Assert.True(first.Provider.Served > 100 && second.Provider.Served > 100,
            $"the queue group should spread the load: {first.Provider.Served} and {second.Provider.Served}");
    }

    [Fact]
    public async Task After_a_NATS_server_restart_the_provider_reconnects_and_no_invocation_is_lost_or_run_twice()
    {
        await using var provider = await RunningProvider.StartLinkedAsync(lattice);
        var (host, actor) = (provider.Host, provider.Actor);
        var answers = new ConcurrentDictionary<string, int>();

        // The host resends an invocation whose reply it did not get, with the same id, as a host would.
        async Task<object?> CallWithRetryAsync(int i)
        {
            var invocation = host.Invocation(actor, "echo_later", FakeWasmCloudHost.CborArgument($"call {i}"));
            for (var attempt = 0; ; attempt++)
            {
                try
                {
                    var response = await host.SendAsync(invocation, TimeSpan.FromSeconds(2));
                    answers.AddOrUpdate(response.InvocationId, 1, (_, n) => n + 1);
                    return CborValues.Decode(response.Message);
                }
                catch (NatsException) when (attempt < 20)
                {
                    await Task.Delay(200);
                }
            }
        }

        var calls = RunBoundedAsync(300, 10, CallWithRetryAsync);
        // Restart once traffic is flowing (counted, not timed, so a slow machine still restarts mid-run).
        for (var wait = 0; wait < 500 && answers.Count < 20; wait++)
            await Task.Delay(10);
        var answeredBeforeRestart = answers.Count;
        await lattice.Nats.RestartAsync(TimeSpan.FromMilliseconds(500));
        var results = await calls;

        Assert.Equal(Enumerable.Range(0, 300).Select(i => (object?)$"call {i}"), results);
        Assert.InRange(answeredBeforeRestart, 1, 299);
        Assert.Equal(300, answers.Count);
        Assert.All(answers.Values, count => Assert.Equal(1, count));
        Assert.Equal(300, provider.Provider.Served);
        Assert.Equal(new HealthCheckResponse(true), EnvelopeCodec.DecodeHealth(await host.HealthAsync()));
    }

    private static async Task<object?[]> RunBoundedAsync(int count, int parallel, Func<int, Task<object?>> call)
    {
        var results = new object?[count];
        await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = parallel },
            async (i, _) => results[i] = await call(i));
        return results;
    }
}

using System.Diagnostics;
using EmbeddedPython.WasmCloud.Tests.Infrastructure;
using Xunit.Abstractions;

namespace EmbeddedPython.WasmCloud.Tests.Bus;

/// <summary>Figures for the README: round-trip latency and invocations per second of a small payload,
/// over real NATS on loopback with claims verified. Run with
/// <c>dotnet test --filter ThroughputTests --logger "console;verbosity=detailed"</c> to see them.</summary>
[Collection(LatticeCollection.Name)]
public sealed class ThroughputTests(LatticeFixture lattice, ITestOutputHelper output)
{
    [Fact]
    public async Task Small_invocations_round_trip_in_milliseconds_and_run_hundreds_per_second()
    {
        await using var provider = await RunningProvider.StartLinkedAsync(lattice);
        var (host, actor) = (provider.Host, provider.Actor);
        for (var i = 0; i < 50; i++)
            await host.CallAsync(actor, "factorial", 10L);

        var latencies = new List<double>();
        for (var i = 0; i < 500; i++)
        {
            var watch = Stopwatch.StartNew();
            Assert.Equal(3628800L, await host.CallAsync(actor, "factorial", 10L));
            latencies.Add(watch.Elapsed.TotalMilliseconds);
        }
        latencies.Sort();

        const int total = 4000;
        var clock = Stopwatch.StartNew();
        await Parallel.ForEachAsync(Enumerable.Range(0, total), new ParallelOptions { MaxDegreeOfParallelism = 64 },
            async (i, _) => Assert.Equal("Hello Sam!", await host.CallAsync(actor, "hello", "Sam")));
        var perSecond = total / clock.Elapsed.TotalSeconds;

        output.WriteLine($"round trip (sequential, 500 calls): median {latencies[250]:F2} ms, p99 {latencies[495]:F2} ms");
        output.WriteLine($"throughput (64 in flight, {total} calls): {perSecond:F0} invocations/s");
        Assert.True(latencies[250] < 20, $"median round trip {latencies[250]:F2} ms");
        Assert.True(perSecond > 200, $"{perSecond:F0} invocations/s");
    }
}

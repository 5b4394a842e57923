using System.Diagnostics;
using EmbeddedPython.Grpc.V1;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace GrpcServer;

/// <summary>Unary round trips through the whole stack (client, HTTP/2 on loopback, service, interpreter):
/// latency of one client calling in turn, then throughput of many clients at once.</summary>
internal static class Bench
{
    private static readonly ExecuteRequest Call = new() { Code = "y = x + 1", Name = "bench", PresetValuesJson = """{"x": 41}""", ReturnNames = { "y" } };

    public static async Task<int> RunAsync(int clients)
    {
        await using var app = Server.Build(0, null);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        using var channel = GrpcChannel.ForAddress(address);
        var client = new PythonExecutor.PythonExecutorClient(channel);

        for (var i = 0; i < 2_000; i++)
            await client.ExecuteAsync(Call);

        const int sequential = 5_000;
        var latencies = new double[sequential];
        for (var i = 0; i < sequential; i++)
        {
            var started = Stopwatch.GetTimestamp();
            await client.ExecuteAsync(Call);
            latencies[i] = Stopwatch.GetElapsedTime(started).TotalMicroseconds;
        }
        Array.Sort(latencies);
        Console.WriteLine($"1 client, {sequential} calls: p50 {latencies[sequential / 2]:0} µs, p90 {latencies[sequential * 9 / 10]:0} µs, p99 {latencies[sequential * 99 / 100]:0} µs, mean {latencies.Average():0} µs");

        var duration = TimeSpan.FromSeconds(5);
        var total = 0L;
        var watch = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, clients).Select(async _ =>
        {
            var count = 0L;
            while (watch.Elapsed < duration)
            {
                await client.ExecuteAsync(Call);
                count++;
            }
            Interlocked.Add(ref total, count);
        }));
        var seconds = watch.Elapsed.TotalSeconds;
        Console.WriteLine($"{clients} concurrent clients, {seconds:0.0} s: {total} calls, {total / seconds:0} calls/s, mean round trip {seconds * 1e6 * clients / total:0} µs");
        await app.StopAsync();
        return 0;
    }
}

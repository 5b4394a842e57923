using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace EmbeddedPython.Tests.DependencyInjection;

/// <summary>Hosts come and go in one process (as integration tests and restarting workers build them); each
/// gets a working executor, a lease on the one interpreter.</summary>
[Collection(PythonCollection.Name)]
public sealed class HostLifetimeTests
{
    private static readonly TimeSpan Hang = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task A_bare_service_collection_without_configuration_gives_a_working_executor_with_defaults()
    {
        await using var provider = new ServiceCollection().AddPythonExecutor().BuildServiceProvider();
        var python = provider.GetRequiredService<IPythonExecutor>();
        var result = await python.ExecuteAsync("y = 6 * 7").WaitAsync(Hang);
        Assert.Equal(42L, result.Values["y"]);
        Assert.Equal(256, provider.GetRequiredService<IOptions<PythonExecutorOptions>>().Value.CodeCacheSize);
    }

    [Fact]
    public async Task A_bare_service_collection_still_validates_the_options()
    {
        await using var provider = new ServiceCollection().AddPythonExecutor(o => o.CodeCacheSize = 0).BuildServiceProvider();
        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IPythonExecutor>());
        Assert.Contains("CodeCacheSize must be at least 1, not 0.", error.Message);
    }

    [Fact]
    public async Task Three_generic_hosts_in_a_row_each_build_use_stop_and_dispose_an_executor()
    {
        for (var round = 0; round < 3; round++)
        {
            using var host = BuildHost(cacheSize: 8 + round);
            await host.StartAsync().WaitAsync(Hang);
            var python = host.Services.GetRequiredService<IPythonExecutor>();
            var result = await python.ExecuteAsync(new PythonRequest
            {
                Name = "host-round", // each host's cache is its own: the first request of a host must send its code
                Code = "y = round * 2",
                PresetValues = new Dictionary<string, object?> { ["round"] = round },
            }).WaitAsync(Hang);
            Assert.Equal(round * 2L, result.Values["y"]);
            if (round > 0)
                Assert.Equal(round * 2L, (await python.ExecuteAsync(new PythonRequest { Name = "host-round", PresetValues = new Dictionary<string, object?> { ["round"] = round } })).Values["y"]);
            await host.StopAsync().WaitAsync(Hang);
        }
    }

    [Fact]
    public async Task Two_hosts_side_by_side_serve_concurrently()
    {
        using var first = BuildHost(cacheSize: 16);
        using var second = BuildHost(cacheSize: 32);
        await Task.WhenAll(first.StartAsync(), second.StartAsync()).WaitAsync(Hang);
        var pythons = new[] { first, second }.Select(h => h.Services.GetRequiredService<IPythonExecutor>()).ToArray();
        var calls = Enumerable.Range(0, 400).Select(async i =>
        {
            var python = pythons[i % 2];
            var result = await python.ExecuteAsync(new PythonRequest
            {
                Code = i % 4 < 2 ? "y = x + 1" : "import asyncio\nawait asyncio.sleep(0.001)\ny = x + 1",
                PresetValues = new Dictionary<string, object?> { ["x"] = i },
                LimitReturnTo = ["y"],
            });
            return (long)result.Values["y"]!;
        });
        var results = await Task.WhenAll(calls).WaitAsync(Hang);
        Assert.Equal(Enumerable.Range(1, 400).Select(i => (long)i), results);
        await Task.WhenAll(first.StopAsync(), second.StopAsync()).WaitAsync(Hang);
    }

    private static IHost BuildHost(int cacheSize)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration["EmbeddedPython:CodeCacheSize"] = cacheSize.ToString(System.Globalization.CultureInfo.InvariantCulture);
        builder.Services.AddPythonExecutor();
        return builder.Build();
    }
}

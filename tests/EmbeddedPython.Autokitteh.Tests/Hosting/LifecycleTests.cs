using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace EmbeddedPython.Autokitteh.Tests.Hosting;

[Collection(PythonCollection.Name)]
public sealed class LifecycleTests(SharedPython python) : IDisposable
{
    private readonly CodeDirectory _code = new CodeDirectory().With("program.py", Fixtures.Program);

    public void Dispose() => _code.Dispose();

    [Fact]
    public async Task Without_Start_the_runner_stops_when_the_start_timeout_ends()
    {
        var watch = Stopwatch.StartNew();
        await using var runner = await RunnerUnderTest.StartAsync(python.Executor, _code.Path, o => o.StartTimeout = TimeSpan.FromSeconds(1));

        await runner.Server.Stopping.WaitAsync(TimeSpan.FromSeconds(5));

        Assert.InRange(watch.Elapsed, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task The_worker_is_checked_once_at_start_up_then_polled_for_liveness()
    {
        await using var runner = await RunnerUnderTest.StartAsync(python.Executor, _code.Path, o => o.LivenessInterval = TimeSpan.FromMilliseconds(100));

        var deadline = DateTime.UtcNow.AddSeconds(5);
        while (runner.Worker.IsActiveCalls < 3 && DateTime.UtcNow < deadline)
            await Task.Delay(50);

        Assert.Equal(1, runner.Worker.HealthCalls);
        Assert.True(runner.Worker.IsActiveCalls >= 3, $"IsActiveRunner was called {runner.Worker.IsActiveCalls} times");
        Assert.False(runner.Server.Stopping.IsCompleted);
    }

    [Fact]
    public async Task The_runner_stops_when_the_worker_no_longer_knows_it()
    {
        await using var runner = await RunnerUnderTest.StartAsync(python.Executor, _code.Path, o => o.LivenessInterval = TimeSpan.FromMilliseconds(100));

        runner.Worker.IsActiveError = "unknown runner ID";

        await runner.Server.Stopping.WaitAsync(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task Skipping_the_worker_check_makes_no_health_or_liveness_calls()
    {
        await using var runner = await RunnerUnderTest.StartAsync(python.Executor, _code.Path, o =>
        {
            o.SkipCheckWorker = true;
            o.LivenessInterval = TimeSpan.FromMilliseconds(50);
        });

        await Task.Delay(300);

        Assert.Equal((0, 0), (runner.Worker.HealthCalls, runner.Worker.IsActiveCalls));
    }

    [Fact]
    public async Task A_runner_whose_worker_is_not_available_stops()
    {
        var closedPort = FreePort();
        await using var runner = await RunnerUnderTest.StartHostAsync(python.Executor, o =>
        {
            o.Enabled = true;
            o.WorkerAddress = $"127.0.0.1:{closedPort}";
            o.CodeDirectory = _code.Path;
        });

        await runner.Stopping.WaitAsync(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task Invalid_runner_settings_stop_the_host_at_start_naming_the_setting()
    {
        var error = await Assert.ThrowsAnyAsync<Exception>(() => RunnerUnderTest.StartHostAsync(python.Executor, o =>
        {
            o.Enabled = true;
            o.WorkerAddress = "no-port";
            o.CodeDirectory = _code.PathOf("missing");
        }));

        Assert.Contains("WorkerAddress", error.Message, StringComparison.Ordinal);
        Assert.Contains("CodeDirectory", error.Message, StringComparison.Ordinal);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

using System.Collections.Concurrent;
using EmbeddedPython.Grpc.Client.Tests.Infrastructure;
using Xunit.Abstractions;

namespace EmbeddedPython.Grpc.Client.Tests.Channels;

/// <summary>The scenario: two <c>samples/GrpcServer</c> processes behind one remote executor, one of them killed
/// while requests run. Each request appends its id to a file when it starts on a server, so executions are counted
/// where they happen.</summary>
public sealed class FleetTests(ITestOutputHelper output)
{
    private const int Requests = 240;
    private const int InFlight = 8;

    private static bool StartedLastOn(string log, int pid) =>
        File.Exists(log) && File.ReadLines(log).LastOrDefault() is { } last && last.EndsWith($" {pid}", StringComparison.Ordinal);

    [Fact]
    public async Task Requests_spread_over_two_servers_and_when_one_is_killed_none_is_lost_silently_and_none_runs_twice()
    {
        await using var first = await ServerProcess.StartAsync();
        await using var second = await ServerProcess.StartAsync();
        var ran = Path.Combine(Path.GetTempPath(), $"remote-fleet-{Guid.NewGuid():N}.log");
        await using var remote = new RemotePythonExecutor(new RemotePythonExecutorOptions
        {
            Address = $"static:///127.0.0.1:{first.Port},127.0.0.1:{second.Port}",
            DefaultTimeout = TimeSpan.FromSeconds(30),
        });

        var outcomes = new ConcurrentDictionary<int, object>();   // id → the pid that answered, or the exception
        var completed = 0;
        using var slots = new SemaphoreSlim(InFlight);
        var tasks = Enumerable.Range(0, Requests).Select(async id =>
        {
            await slots.WaitAsync();
            try
            {
                var result = await remote.ExecuteAsync(new PythonRequest
                {
                    Name = "fleet-request",
                    Code = "import os, time\nwith open(log, 'a') as f:\n    f.write(f'{id} {os.getpid()}\\n')\ntime.sleep(0.05)\npid = os.getpid()",
                    PresetValues = new Dictionary<string, object?> { ["id"] = id, ["log"] = ran },
                    LimitReturnTo = ["pid"],
                });
                outcomes[id] = result.Get<int>("pid");
            }
            catch (Exception e)
            {
                outcomes[id] = e;
            }
            finally
            {
                slots.Release();
            }
            Interlocked.Increment(ref completed);
        }).ToList();
        // Killed once a third of the requests are done, just after a request started on it: it dies mid-run.
        while (Volatile.Read(ref completed) < Requests / 3 || !StartedLastOn(ran, first.Pid))
            await Task.Delay(1);
        first.Kill();
        await Task.WhenAll(tasks);

        var executions = File.ReadAllLines(ran).Select(line => int.Parse(line.Split(' ')[0])).GroupBy(id => id).ToDictionary(g => g.Key, g => g.Count());
        File.Delete(ran);
        Assert.Equal(Requests, outcomes.Count);
        Assert.All(executions, e => Assert.True(e.Value == 1, $"request {e.Key} ran {e.Value} times"));
        var answered = outcomes.Where(o => o.Value is int).ToDictionary(o => o.Key, o => (int)o.Value);
        Assert.All(answered.Keys, id => Assert.True(executions.ContainsKey(id), $"request {id} answered but did not run"));
        Assert.Contains(first.Pid, answered.Values);
        Assert.Contains(second.Pid, answered.Values);
        // After the kill, every later request completed on the other server.
        Assert.True(answered.Values.Count(pid => pid == second.Pid) > Requests / 2);
        foreach (var (id, outcome) in outcomes.Where(o => o.Value is not int))
        {
            // Either it was on the killed server (it may have run), or each of its attempts met the killed server
            // before the balancer dropped it: then it says it ran nowhere, and it did not run.
            var failure = Assert.IsType<RemoteExecutorException>(outcome);
            if (failure.MayHaveRun)
            {
                Assert.Contains("may have run", failure.Message);
            }
            else
            {
                Assert.Contains("ran nowhere", failure.Message);
                Assert.False(executions.ContainsKey(id), $"request {id} said it ran nowhere but ran");
            }
        }
        Assert.InRange(outcomes.Count(o => o.Value is not int), 1, InFlight);
        output.WriteLine($"answered by the killed server {answered.Values.Count(p => p == first.Pid)}, by the other {answered.Values.Count(p => p == second.Pid)}, "
            + $"failed {Requests - answered.Count} (of which ran there: {outcomes.Count(o => o.Value is not int && executions.ContainsKey(o.Key))})");
    }

    [Fact]
    public async Task A_request_whose_server_dies_while_it_runs_fails_saying_it_may_have_run_and_is_not_run_again()
    {
        await using var first = await ServerProcess.StartAsync();
        await using var second = await ServerProcess.StartAsync();
        var ran = Path.Combine(Path.GetTempPath(), $"remote-lost-{Guid.NewGuid():N}.log");
        await using var remote = new RemotePythonExecutor(new RemotePythonExecutorOptions
        {
            Address = $"static:///127.0.0.1:{first.Port},127.0.0.1:{second.Port}",
            MaxAttempts = 5,
        });
        var servers = new[] { first, second };

        var running = remote.ExecuteAsync(new PythonRequest
        {
            Code = "import os, time\nwith open(log, 'a') as f:\n    f.write(f'{os.getpid()}\\n')\ntime.sleep(5)",
            PresetValues = new Dictionary<string, object?> { ["log"] = ran },
        });
        while (!File.Exists(ran) || File.ReadAllText(ran).Length == 0)
            await Task.Delay(10);
        var pid = int.Parse(File.ReadAllLines(ran)[0]);
        servers.Single(s => s.Pid == pid).Kill();

        var failure = await Assert.ThrowsAsync<RemoteExecutorException>(() => running);
        await Task.Delay(500);
        var lines = File.ReadAllLines(ran);
        File.Delete(ran);
        Assert.True(failure.MayHaveRun);
        Assert.Contains("may have run", failure.Message);
        Assert.Equal([pid.ToString(System.Globalization.CultureInfo.InvariantCulture)], lines);
    }

    [Fact]
    public async Task A_request_no_server_takes_is_retried_then_fails_saying_it_ran_nowhere()
    {
        await using var remote = new RemotePythonExecutor(new RemotePythonExecutorOptions
        {
            Address = $"static:///127.0.0.1:{ServerProcess.FreePort()}",
            MaxAttempts = 3,
            InitialBackoff = TimeSpan.FromMilliseconds(20),
        });

        var failure = await Assert.ThrowsAsync<RemoteExecutorException>(() => remote.ExecuteAsync(new PythonRequest { Code = "x = 1" }));

        Assert.False(failure.MayHaveRun);
        Assert.Equal(global::Grpc.Core.StatusCode.Unavailable, failure.StatusCode);
        Assert.Contains("ran nowhere", failure.Message);
    }
}

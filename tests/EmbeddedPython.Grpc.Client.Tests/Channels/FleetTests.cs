using System.Collections.Concurrent;
using EmbeddedPython.Grpc.Client.Tests.Infrastructure;

namespace EmbeddedPython.Grpc.Client.Tests.Channels;

/// <summary>The scenario: two <c>samples/GrpcServer</c> processes behind one remote executor, one of them killed
/// while requests run. Each request appends its id to a file when it starts on a server, so executions are counted
/// where they happen.</summary>
public sealed class FleetTests
{
    private const int Requests = 240;
    private const int InFlight = 8;

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
        var killed = false;
        using var slots = new SemaphoreSlim(InFlight);
        var tasks = Enumerable.Range(0, Requests).Select(async id =>
        {
            await slots.WaitAsync();
            try
            {
                var result = await remote.ExecuteAsync(new PythonRequest
                {
                    Name = "fleet-request",
                    Code = "import os, time\nwith open(log, 'a') as f:\n    f.write(f'{id}\\n')\ntime.sleep(0.02)\npid = os.getpid()",
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
            // Killed once a third of the requests are done, while others run on it.
            if (Interlocked.Increment(ref completed) == Requests / 3 && !Volatile.Read(ref killed))
            {
                Volatile.Write(ref killed, true);
                first.Kill();
            }
        }).ToList();
        await Task.WhenAll(tasks);

        var executions = File.ReadAllLines(ran).Select(int.Parse).GroupBy(id => id).ToDictionary(g => g.Key, g => g.Count());
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
            var failure = Assert.IsType<RemoteExecutorException>(outcome);
            Assert.True(failure.MayHaveRun, $"request {id}: {failure.Message}");
            Assert.Contains("may have run", failure.Message);
        }
        Assert.InRange(outcomes.Count(o => o.Value is not int), 0, InFlight);
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

using EmbeddedPython.Grpc.Client.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace EmbeddedPython.Grpc.Client.Tests.Channels;

/// <summary>Retries for <c>UNAVAILABLE</c> only before a server took the request: a server that answers with a
/// status before reading the request (as a proxy or a starting server does) is tried again; the request runs once.</summary>
[Collection(PythonCollection.Name)]
public sealed class RetryTests(SharedPython python)
{
    [Fact]
    public async Task A_request_refused_as_unavailable_before_it_ran_is_retried_and_runs_once()
    {
        var refusals = 2;
        await using var server = await RefusingServer(() => Interlocked.Decrement(ref refusals) >= 0);
        await using var remote = new RemotePythonExecutor(new RemotePythonExecutorOptions { Address = server.Address, MaxAttempts = 3, InitialBackoff = TimeSpan.FromMilliseconds(10) });
        var ran = Path.Combine(Path.GetTempPath(), $"remote-retried-{Guid.NewGuid():N}");

        await remote.ExecuteAsync(new PythonRequest { Code = "with open(path, 'a') as f:\n    f.write('ran\\n')", PresetValues = new Dictionary<string, object?> { ["path"] = ran } });

        Assert.Equal(["ran"], File.ReadAllLines(ran));
        File.Delete(ran);
        Assert.Equal(-1, refusals);
    }

    [Fact]
    public async Task A_request_refused_on_every_attempt_fails_saying_it_ran_nowhere()
    {
        var attempts = 0;
        await using var server = await RefusingServer(() => Interlocked.Increment(ref attempts) > 0);
        await using var remote = new RemotePythonExecutor(new RemotePythonExecutorOptions { Address = server.Address, MaxAttempts = 4, InitialBackoff = TimeSpan.FromMilliseconds(10) });

        var failure = await Assert.ThrowsAsync<RemoteExecutorException>(() => remote.CallAsync<long>("remote_sample", "add", 1, 2));

        Assert.False(failure.MayHaveRun);
        Assert.Contains("ran nowhere", failure.Message);
        Assert.Equal(4, attempts);
    }

    /// <summary>A server whose gRPC calls are answered <c>UNAVAILABLE</c> (trailers only, nothing read) while
    /// <paramref name="refuse"/> says so.</summary>
    private Task<LoopbackServer> RefusingServer(Func<bool> refuse) => LoopbackServer.StartAsync(python, map: endpoints =>
    {
        ((IApplicationBuilder)endpoints).Use(async (context, next) =>
        {
            if (!refuse())
            {
                await next(context);
                return;
            }
            context.Response.ContentType = "application/grpc";
            context.Response.Headers["grpc-status"] = "14";
            context.Response.Headers["grpc-message"] = "warming up";
        });
        return endpoints.MapPythonExecutor();
    });
}

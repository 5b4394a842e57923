using Autokitteh.UserCode.V1;
using Google.Protobuf;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace EmbeddedPython.Autokitteh.Tests.Infrastructure;

/// <summary>Our autokitteh runner on Kestrel, pointed at a fake worker, with a client for its RunnerService.</summary>
public sealed class RunnerUnderTest : IAsyncDisposable
{
    private RunnerUnderTest(GrpcTestServer server, FakeWorker worker)
    {
        Server = server;
        Worker = worker;
        Client = new RunnerService.RunnerServiceClient(server.Channel);
        worker.Runner = Client;
    }

    public GrpcTestServer Server { get; }

    public FakeWorker Worker { get; }

    public RunnerService.RunnerServiceClient Client { get; }

    public static async Task<RunnerUnderTest> StartAsync(PythonExecutor executor, string codeDirectory, Action<AutokittehRunnerOptions>? configure = null)
    {
        var worker = await FakeWorker.StartAsync();
        var server = await StartHostAsync(executor, o =>
        {
            o.Enabled = true;
            o.WorkerAddress = worker.Address;
            o.RunnerId = "runner_test";
            o.CodeDirectory = codeDirectory;
            o.StartTimeout = TimeSpan.FromMinutes(1);
            configure?.Invoke(o);
        });
        return new RunnerUnderTest(server, worker);
    }

    /// <summary>A host serving the executor service and the runner (configured by <paramref name="configure"/>).</summary>
    public static Task<GrpcTestServer> StartHostAsync(PythonExecutor executor, Action<AutokittehRunnerOptions>? configure = null) =>
        GrpcTestServer.StartAsync(executor,
            services: s => s.AddAutokittehRunner(configure),
            map: app => app.MapAutokittehRunner());

    /// <summary>Starts the session and waits for its Done.</summary>
    public async Task<DoneRequest> RunAsync(string entryPoint, string eventJson, bool durable = false)
    {
        var started = await Client.StartAsync(new StartRequest { EntryPoint = entryPoint, Event = new Event { Data = ByteString.CopyFromUtf8(eventJson) }, IsDurable = durable });
        Assert.Equal("", started.Error);
        try
        {
            return await Worker.Finished.WaitAsync(TimeSpan.FromSeconds(20));
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"no Done within 20 s; the worker received: {string.Join(" | ", Worker.Received)}");
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Server.DisposeAsync();
        await Worker.DisposeAsync();
    }
}

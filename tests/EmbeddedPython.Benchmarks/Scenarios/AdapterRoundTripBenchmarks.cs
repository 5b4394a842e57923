using System.Net;
using BenchmarkDotNet.Attributes;
using EmbeddedPython.Benchmarks.Baselines;
using EmbeddedPython.Benchmarks.Setup;
using EmbeddedPython.Grpc;
using EmbeddedPython.Grpc.V1;
using GrpcExecutorService = EmbeddedPython.Grpc.V1.PythonExecutor;
using Grpc.Health.V1;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace EmbeddedPython.Benchmarks.Scenarios;

/// <summary>
/// Scenario 8: scenario 1's request through each adapter over its real transport, awaited one at a time.
/// gRPC: the executor service on Kestrel (HTTP/2 without TLS on 127.0.0.1, a free port), called with
/// Grpc.Net.Client; beside it a gRPC call that runs no Python, the direct executor call and the JSON-lines
/// worker, all in the same process.
/// </summary>
[Config(typeof(SteadyStateConfig))]
public class AdapterRoundTripBenchmarks
{
    private PythonExecutor _executor = null!;
    private JsonLinesWorker _worker = null!;
    private WebApplication _app = null!;
    private GrpcChannel _channel = null!;
    private GrpcExecutorService.PythonExecutorClient _client = null!;
    private Health.HealthClient _health = null!;
    private readonly HealthCheckRequest _healthRequest = new();
    private readonly PythonRequest _request = new() { Name = "double", Code = Workloads.Double, PresetValues = Workloads.X21, LimitReturnTo = Workloads.ReturnY };
    private readonly ExecuteRequest _grpcRequest = new() { Name = "double", Code = Workloads.Double, PresetValuesJson = """{"x": 21}""", ReturnNames = { "y" } };

    [GlobalSetup]
    public void Setup()
    {
        _executor = Workloads.StartExecutor();
        _worker = JsonLinesWorker.Start();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen => listen.Protocols = HttpProtocols.Http2));
        builder.Services.AddSingleton(_executor);
        builder.Services.AddSingleton<IPythonExecutor>(_executor);
        builder.Services.AddPythonGrpcServices();
        _app = builder.Build();
        _app.MapPythonExecutor();
        _app.StartAsync().GetAwaiter().GetResult();
        var address = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        _channel = GrpcChannel.ForAddress(address);
        _client = new GrpcExecutorService.PythonExecutorClient(_channel);
        _health = new Health.HealthClient(_channel);

        var reply = _client.Execute(_grpcRequest);
        Workloads.Expect(reply.ResultsJson.Replace(" ", "", StringComparison.Ordinal), """{"y":42}""", "the gRPC executor service");
        Workloads.Expect(Executor_direct().GetAwaiter().GetResult(), 42L * Workloads.Sequential, "the executor");
        Workloads.Expect(JsonLinesWorker_persistent().GetAwaiter().GetResult(), 42L * Workloads.Sequential, "the JSON-lines worker");
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _channel.Dispose();
        _app.StopAsync().GetAwaiter().GetResult();
        _app.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _worker.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _executor.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }

    [Benchmark(OperationsPerInvoke = Workloads.Sequential, Description = "gRPC executor service (unary Execute)")]
    public async Task<int> Grpc_execute()
    {
        var length = 0;
        for (var i = 0; i < Workloads.Sequential; i++)
            length += (await _client.ExecuteAsync(_grpcRequest)).ResultsJson.Length;
        return length;
    }

    // The same channel and server, no Python: what HTTP/2 and gRPC cost by themselves.
    [Benchmark(OperationsPerInvoke = Workloads.Sequential, Description = "gRPC floor: grpc.health.v1 Check (no Python)")]
    public async Task<int> Grpc_health_check()
    {
        var serving = 0;
        for (var i = 0; i < Workloads.Sequential; i++)
            serving += (int)(await _health.CheckAsync(_healthRequest)).Status;
        return serving;
    }

    [Benchmark(OperationsPerInvoke = Workloads.Sequential, Description = "Executor, direct call")]
    public async Task<long> Executor_direct()
    {
        long sum = 0;
        for (var i = 0; i < Workloads.Sequential; i++)
            sum += (long)(await _executor.ExecuteAsync(_request)).Values["y"]!;
        return sum;
    }

    [Benchmark(OperationsPerInvoke = Workloads.Sequential, Baseline = true, Description = "JSON-lines worker process")]
    public async Task<long> JsonLinesWorker_persistent()
    {
        long sum = 0;
        for (var i = 0; i < Workloads.Sequential; i++)
            sum += (long)(await _worker.RequestAsync(Workloads.Double, Workloads.X21, Workloads.ReturnY))["y"]!;
        return sum;
    }
}

using BenchmarkDotNet.Attributes;
using EmbeddedPython.Benchmarks.Baselines;
using EmbeddedPython.Benchmarks.Setup;

namespace EmbeddedPython.Benchmarks.Scenarios;

/// <summary>Scenario 2: scenario 1 with 64 requests in flight; figures are per request.</summary>
[Config(typeof(SteadyStateConfig))]
public class InFlightBenchmarks
{
    private const int InFlight = 64;

    private PythonExecutor _executor = null!;
    private JsonLinesWorker _worker = null!;
    private readonly PythonRequest _request = new() { Name = "double", Code = Workloads.Double, PresetValues = Workloads.X21, LimitReturnTo = Workloads.ReturnY };
    private readonly Task<PythonResult>[] _results = new Task<PythonResult>[InFlight];
    private readonly Task<Dictionary<string, object?>>[] _baselineResults = new Task<Dictionary<string, object?>>[InFlight];

    [GlobalSetup]
    public void Setup()
    {
        _executor = Workloads.StartExecutor();
        _worker = JsonLinesWorker.Start();
        Executor().GetAwaiter().GetResult();
        Workloads.Expect(_results[^1].Result.Values["y"], 42L, "the executor");
        JsonLinesWorker_persistent().GetAwaiter().GetResult();
        Workloads.Expect(_baselineResults[^1].Result["y"], 42L, "the JSON-lines worker");
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _worker.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _executor.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }

    [Benchmark(OperationsPerInvoke = InFlight, Description = "Executor, 64 in flight")]
    public Task Executor()
    {
        for (var i = 0; i < InFlight; i++)
            _results[i] = _executor.ExecuteAsync(_request);
        return Task.WhenAll(_results);
    }

    [Benchmark(OperationsPerInvoke = InFlight, Baseline = true, Description = "JSON-lines worker, 64 in flight")]
    public Task JsonLinesWorker_persistent()
    {
        for (var i = 0; i < InFlight; i++)
            _baselineResults[i] = _worker.RequestAsync(Workloads.Double, Workloads.X21, Workloads.ReturnY);
        return Task.WhenAll(_baselineResults);
    }

    [Benchmark(OperationsPerInvoke = InFlight, Description = "python3 -c per request, 64 in flight")]
    public Task Process_per_request()
    {
        for (var i = 0; i < InFlight; i++)
            _baselineResults[i] = ProcessPerRequest.RunAsync(Workloads.Double, Workloads.X21, Workloads.ReturnY);
        return Task.WhenAll(_baselineResults);
    }
}

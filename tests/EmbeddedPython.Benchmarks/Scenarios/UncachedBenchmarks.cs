using BenchmarkDotNet.Attributes;
using EmbeddedPython.Benchmarks.Baselines;
using EmbeddedPython.Benchmarks.Setup;

namespace EmbeddedPython.Benchmarks.Scenarios;

/// <summary>Scenario 3: new source text on every call, so nothing is served from a code cache.</summary>
[Config(typeof(SteadyStateConfig))]
public class UncachedBenchmarks
{
    private PythonExecutor _executor = null!;
    private JsonLinesWorker _worker = null!;
    private long _n;

    private string NextSource() => "y = x * 2 + " + (++_n % 1_000_000_000);

    [GlobalSetup]
    public void Setup()
    {
        _executor = Workloads.StartExecutor();
        _worker = JsonLinesWorker.Start();
        _n = -1;
        Workloads.Expect(Executor_uncached().GetAwaiter().GetResult(), 42L, "the executor");
        _n = -1;
        Workloads.Expect(JsonLinesWorker_persistent().GetAwaiter().GetResult(), 42L, "the JSON-lines worker");
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _worker.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _executor.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }

    [Benchmark(Description = "Executor, new source each call")]
    public async Task<object?> Executor_uncached()
        => (await _executor.ExecuteAsync(new PythonRequest { Code = NextSource(), PresetValues = Workloads.X21, LimitReturnTo = Workloads.ReturnY })).Values["y"];

    [Benchmark(Baseline = true, Description = "JSON-lines worker, new source each call")]
    public async Task<object?> JsonLinesWorker_persistent() => (await _worker.RequestAsync(NextSource(), Workloads.X21, Workloads.ReturnY))["y"];

    [Benchmark(Description = "python3 -c per request, new source each call")]
    public async Task<object?> Process_per_request() => (await ProcessPerRequest.RunAsync(NextSource(), Workloads.X21, Workloads.ReturnY))["y"];
}

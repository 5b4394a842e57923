using BenchmarkDotNet.Attributes;
using EmbeddedPython.Benchmarks.Baselines;
using EmbeddedPython.Benchmarks.Setup;

namespace EmbeddedPython.Benchmarks.Scenarios;

/// <summary>Scenario 3: new source text on every call, so nothing is served from a code cache; awaited one
/// at a time like scenario 1, figures per request.</summary>
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
        // Source number n adds n: the sum over requests 0..99 is 100 * 42 + 4950.
        const long expected = 42L * Workloads.Sequential + Workloads.Sequential * (Workloads.Sequential - 1) / 2;
        _n = -1;
        Workloads.Expect(Executor_uncached().GetAwaiter().GetResult(), expected, "the executor");
        _n = -1;
        Workloads.Expect(JsonLinesWorker_persistent().GetAwaiter().GetResult(), expected, "the JSON-lines worker");
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _worker.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _executor.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }

    [Benchmark(OperationsPerInvoke = Workloads.Sequential, Description = "Executor, new source each call")]
    public async Task<long> Executor_uncached()
    {
        long sum = 0;
        for (var i = 0; i < Workloads.Sequential; i++)
            sum += (long)(await _executor.ExecuteAsync(new PythonRequest { Code = NextSource(), PresetValues = Workloads.X21, LimitReturnTo = Workloads.ReturnY })).Values["y"]!;
        return sum;
    }

    [Benchmark(OperationsPerInvoke = Workloads.Sequential, Baseline = true, Description = "JSON-lines worker, new source each call")]
    public async Task<long> JsonLinesWorker_persistent()
    {
        long sum = 0;
        for (var i = 0; i < Workloads.Sequential; i++)
            sum += (long)(await _worker.RequestAsync(NextSource(), Workloads.X21, Workloads.ReturnY))["y"]!;
        return sum;
    }

    [Benchmark(Description = "python3 -c per request, new source each call")]
    public async Task<object?> Process_per_request() => (await ProcessPerRequest.RunAsync(NextSource(), Workloads.X21, Workloads.ReturnY))["y"];
}

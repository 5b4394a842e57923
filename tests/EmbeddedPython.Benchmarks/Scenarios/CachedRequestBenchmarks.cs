using BenchmarkDotNet.Attributes;
using EmbeddedPython.Benchmarks.Baselines;
using EmbeddedPython.Benchmarks.Setup;

namespace EmbeddedPython.Benchmarks.Scenarios;

/// <summary>
/// Scenario 1: a cached <c>y = x * 2</c> with one preset and one returned value, awaited one at a time.
/// BenchmarkDotNet blocks on a Task a benchmark returns, so each invocation is an async method that awaits
/// <see cref="Workloads.Sequential"/> requests in a row (what an async caller does); figures are per request.
/// </summary>
[Config(typeof(SteadyStateConfig))]
public class CachedRequestBenchmarks
{
    private PythonExecutor _executor = null!;
    private JsonLinesWorker _worker = null!;

    // Built once: the figures show what the library costs, not the caller's request objects.
    private readonly PythonRequest _request = new() { Name = "double", Code = Workloads.Double, PresetValues = Workloads.X21, LimitReturnTo = Workloads.ReturnY };
    private readonly PythonRequest _untimedRequest = new() { Name = "double", Code = Workloads.Double, PresetValues = Workloads.X21, LimitReturnTo = Workloads.ReturnY, Timeout = Timeout.InfiniteTimeSpan };
    private readonly PythonRequest _strictRequest = new() { Name = "double", Code = Workloads.Double, PresetValues = Workloads.X21, LimitReturnTo = Workloads.ReturnY, Policy = PythonPolicy.Strict };

    [GlobalSetup]
    public void Setup()
    {
        _executor = Workloads.StartExecutor();
        _worker = JsonLinesWorker.Start();
        Workloads.Expect(Executor().GetAwaiter().GetResult(), 42L * Workloads.Sequential, "the executor");
        Workloads.Expect(Executor_without_time_limit().GetAwaiter().GetResult(), 42L * Workloads.Sequential, "the executor without a time limit");
        Workloads.Expect(Executor_with_policy().GetAwaiter().GetResult(), 42L * Workloads.Sequential, "the executor with a policy");
        Workloads.Expect(Executor_blocking_caller(), 42L, "the executor with a blocking caller");
        Workloads.Expect(JsonLinesWorker_persistent().GetAwaiter().GetResult(), 42L * Workloads.Sequential, "the JSON-lines worker");
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _worker.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _executor.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }

    [Benchmark(OperationsPerInvoke = Workloads.Sequential, Description = "Executor (default 30 s time limit)")]
    public async Task<long> Executor()
    {
        long sum = 0;
        for (var i = 0; i < Workloads.Sequential; i++)
            sum += (long)(await _executor.ExecuteAsync(_request)).Values["y"]!;
        return sum;
    }

    [Benchmark(OperationsPerInvoke = Workloads.Sequential, Description = "Executor (no time limit)")]
    public async Task<long> Executor_without_time_limit()
    {
        long sum = 0;
        for (var i = 0; i < Workloads.Sequential; i++)
            sum += (long)(await _executor.ExecuteAsync(_untimedRequest)).Values["y"]!;
        return sum;
    }

    // The same request under a sandbox policy; the rows above have none, which must cost nothing measurable.
    [Benchmark(OperationsPerInvoke = Workloads.Sequential, Description = "Executor (PythonPolicy.Strict)")]
    public async Task<long> Executor_with_policy()
    {
        long sum = 0;
        for (var i = 0; i < Workloads.Sequential; i++)
            sum += (long)(await _executor.ExecuteAsync(_strictRequest)).Values["y"]!;
        return sum;
    }

    [Benchmark(Description = "Executor, caller blocks (GetResult)")]
    public object? Executor_blocking_caller() => _executor.ExecuteAsync(_request).GetAwaiter().GetResult().Values["y"];

    [Benchmark(OperationsPerInvoke = Workloads.Sequential, Baseline = true, Description = "JSON-lines worker process")]
    public async Task<long> JsonLinesWorker_persistent()
    {
        long sum = 0;
        for (var i = 0; i < Workloads.Sequential; i++)
            sum += (long)(await _worker.RequestAsync(Workloads.Double, Workloads.X21, Workloads.ReturnY))["y"]!;
        return sum;
    }

    [Benchmark(Description = "python3 -c per request")]
    public async Task<object?> Process_per_request() => (await ProcessPerRequest.RunAsync(Workloads.Double, Workloads.X21, Workloads.ReturnY))["y"];
}

using BenchmarkDotNet.Attributes;
using EmbeddedPython.Benchmarks.Baselines;
using EmbeddedPython.Benchmarks.Setup;
using Python.Runtime;

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
    private PyModule _pythonNetScope = null!;
    private PyObject _pythonNetCode = null!;

    // Built once: the figures show what the library costs, not the caller's request objects.
    private readonly PythonRequest _request = new() { Name = "double", Code = Workloads.Double, PresetValues = Workloads.X21, LimitReturnTo = Workloads.ReturnY };
    private readonly PythonRequest _limitedRequest = new() { Name = "double", Code = Workloads.Double, PresetValues = Workloads.X21, LimitReturnTo = Workloads.ReturnY, MemoryLimit = Workloads.OneGigabyte };
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
        Workloads.Expect(Executor_value_task().GetAwaiter().GetResult(), 42L * Workloads.Sequential, "the executor's ValueTask method");
        Workloads.Expect(Executor_blocking_value_task(), 42L, "the executor's ValueTask method with a blocking caller");
        Workloads.Expect(JsonLinesWorker_persistent().GetAwaiter().GetResult(), 42L * Workloads.Sequential, "the JSON-lines worker");
    }

    /// <summary>As <see cref="Setup"/>, then one request with a memory limit: the allocator hook stays
    /// installed for the rest of the process, so the unlimited requests measured after it pay its pass-through.</summary>
    [GlobalSetup(Target = nameof(Executor_allocator_hook_without_limit))]
    public void SetupWithHook()
    {
        Setup();
        Workloads.Expect(Executor_memory_limit().GetAwaiter().GetResult(), 42L * Workloads.Sequential, "the executor with a memory limit");
    }

    /// <summary>Python.NET alone in its process (CPython is one per process): one scope, the code compiled once.</summary>
    [GlobalSetup(Target = nameof(PythonNet_same_thread))]
    public void SetupPythonNet()
    {
        PythonNet.Start();
        _pythonNetScope = PythonNet.Scope();
        _pythonNetCode = PythonNet.Compile(Workloads.Double);
        Workloads.Expect(PythonNet_same_thread(), 42L * Workloads.Sequential, "Python.NET");
    }

    // Python.NET's benchmark process has neither (its CPython ends with the process).
    [GlobalCleanup]
    public void Cleanup()
    {
        _worker?.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _executor?.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }

    [Benchmark(OperationsPerInvoke = Workloads.Sequential, Description = "Executor (default 30 s time limit)")]
    public Task<long> Executor() => SumOf(_request);

    [Benchmark(OperationsPerInvoke = Workloads.Sequential, Description = "Executor (no time limit)")]
    public Task<long> Executor_without_time_limit() => SumOf(_untimedRequest);

    [Benchmark(OperationsPerInvoke = Workloads.Sequential, Description = "Executor (allocator hook installed, no memory limit)")]
    public Task<long> Executor_allocator_hook_without_limit() => SumOf(_request);

    [Benchmark(OperationsPerInvoke = Workloads.Sequential, Description = "Executor (1 GB memory limit)")]
    public Task<long> Executor_memory_limit() => SumOf(_limitedRequest);

    private async Task<long> SumOf(PythonRequest request)
    {
        long sum = 0;
        for (var i = 0; i < Workloads.Sequential; i++)
            sum += (long)(await _executor.ExecuteAsync(request)).Values["y"]!;
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

    [Benchmark(OperationsPerInvoke = Workloads.Sequential, Description = "Executor, ExecuteValueAsync (the await spins for the result)")]
    public async Task<long> Executor_value_task()
    {
        long sum = 0;
        for (var i = 0; i < Workloads.Sequential; i++)
            sum += (long)(await _executor.ExecuteValueAsync(_request)).Values["y"]!;
        return sum;
    }

    [Benchmark(Description = "Executor, caller blocks on ExecuteValueAsync (GetResult)")]
    public object? Executor_blocking_value_task() => _executor.ExecuteValueAsync(_request).GetAwaiter().GetResult().Values["y"];

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

    /// <summary>What a Python.NET user writes, on the caller's thread: compare with the blocking caller above.</summary>
    [Benchmark(OperationsPerInvoke = Workloads.Sequential, Description = "Python.NET, same thread: using (Py.GIL()) + scope set/execute/get")]
    public long PythonNet_same_thread()
    {
        long sum = 0;
        for (var i = 0; i < Workloads.Sequential; i++)
            sum += PythonNet.Double(_pythonNetScope, _pythonNetCode);
        return sum;
    }

    [Benchmark(Description = "python3 -c per request")]
    public async Task<object?> Process_per_request() => (await ProcessPerRequest.RunAsync(Workloads.Double, Workloads.X21, Workloads.ReturnY))["y"];
}

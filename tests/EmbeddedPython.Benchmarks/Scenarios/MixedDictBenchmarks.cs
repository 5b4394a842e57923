using System.Numerics;
using BenchmarkDotNet.Attributes;
using EmbeddedPython.Benchmarks.Baselines;
using EmbeddedPython.Benchmarks.Setup;
using Python.Runtime;

namespace EmbeddedPython.Benchmarks.Scenarios;

/// <summary>Scenario 4: the 10-key mixed dict of embedding.md §2 returned as <c>Dictionary&lt;string, object?&gt;</c>;
/// awaited one at a time like scenario 1, figures per request.</summary>
[Config(typeof(SteadyStateConfig))]
public class MixedDictBenchmarks
{
    private PythonExecutor _executor = null!;
    private JsonLinesWorker _worker = null!;
    private PyModule _pythonNetScope = null!;
    private PyObject _pythonNetCode = null!;
    private readonly PythonRequest _request = new() { Name = "mixed", Code = Workloads.MixedDict, LimitReturnTo = Workloads.ReturnD };
    private readonly PythonRequest _limitedRequest = new() { Name = "mixed", Code = Workloads.MixedDict, LimitReturnTo = Workloads.ReturnD, MemoryLimit = Workloads.OneGigabyte };

    [GlobalSetup]
    public void Setup()
    {
        _executor = Workloads.StartExecutor();
        _worker = JsonLinesWorker.Start();
        // Both paths must hand the caller the same .NET types (DESIGN §4), or the comparison is unfair.
        CheckTypes((Dictionary<string, object?>)Executor().GetAwaiter().GetResult()!, "the executor");
        CheckTypes((Dictionary<string, object?>)JsonLinesWorker_persistent().GetAwaiter().GetResult()!, "the JSON-lines worker");
    }

    private static void CheckTypes(Dictionary<string, object?> d, string what)
    {
        Workloads.Expect(d["i"], 42L, what);
        Workloads.Expect(d["f"], 3.5, what);
        Workloads.Expect(d["s"], "hello world", what);
        Workloads.Expect(d["b"], true, what);
        Workloads.Expect(d["n"], null, what);
        Workloads.Expect(d["big"], BigInteger.Pow(2, 70), what);
        Workloads.Expect(Convert.ToHexString((byte[])d["by"]!), "61626300", what);
        Workloads.Expect(((List<object?>)d["l"]!).Count, 3, what);
        Workloads.Expect(((List<object?>)d["t"]!)[1], "a", what);
        Workloads.Expect(((List<object?>)((Dictionary<string, object?>)d["m"]!)["j"]!)[0], null, what);
    }

    /// <summary>As <see cref="Setup"/>, then one request with a memory limit, which leaves the allocator hook installed.</summary>
    [GlobalSetup(Target = nameof(Executor_allocator_hook_without_limit))]
    public void SetupWithHook()
    {
        Setup();
        CheckTypes((Dictionary<string, object?>)Executor_memory_limit().GetAwaiter().GetResult()!, "the executor with a memory limit");
    }

    /// <summary>Python.NET alone in its process: the dict read from a scope and converted by hand (<see cref="PythonNet.ToDotNet"/>).</summary>
    [GlobalSetup(Target = nameof(PythonNet_same_thread))]
    public void SetupPythonNet()
    {
        PythonNet.Start();
        _pythonNetScope = PythonNet.Scope();
        _pythonNetCode = PythonNet.Compile(Workloads.MixedDict);
        CheckTypes((Dictionary<string, object?>)PythonNet_same_thread()!, "Python.NET");
    }

    // Python.NET's benchmark process has neither (its CPython ends with the process).
    [GlobalCleanup]
    public void Cleanup()
    {
        _worker?.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _executor?.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }

    [Benchmark(OperationsPerInvoke = Workloads.Sequential, Description = "Executor, 10-key mixed dict")]
    public Task<object?> Executor() => LastOf(_request);

    [Benchmark(OperationsPerInvoke = Workloads.Sequential, Description = "Executor, 10-key mixed dict (allocator hook installed, no memory limit)")]
    public Task<object?> Executor_allocator_hook_without_limit() => LastOf(_request);

    [Benchmark(OperationsPerInvoke = Workloads.Sequential, Description = "Executor, 10-key mixed dict (1 GB memory limit)")]
    public Task<object?> Executor_memory_limit() => LastOf(_limitedRequest);

    private async Task<object?> LastOf(PythonRequest request)
    {
        object? last = null;
        for (var i = 0; i < Workloads.Sequential; i++)
            last = (await _executor.ExecuteAsync(request)).Values["d"];
        return last;
    }

    [Benchmark(OperationsPerInvoke = Workloads.Sequential, Description = "Python.NET, same thread, 10-key mixed dict")]
    public object? PythonNet_same_thread()
    {
        object? last = null;
        for (var i = 0; i < Workloads.Sequential; i++)
        {
            using (Py.GIL())
            {
                _pythonNetScope.Execute(_pythonNetCode).Dispose();
                using var d = _pythonNetScope.Get("d");
                last = PythonNet.ToDotNet(d);
            }
        }
        return last;
    }

    [Benchmark(OperationsPerInvoke = Workloads.Sequential, Baseline = true, Description = "JSON-lines worker, 10-key mixed dict")]
    public async Task<object?> JsonLinesWorker_persistent()
    {
        object? last = null;
        for (var i = 0; i < Workloads.Sequential; i++)
            last = (await _worker.RequestAsync(Workloads.MixedDict, null, Workloads.ReturnD))["d"];
        return last;
    }
}

using BenchmarkDotNet.Attributes;
using EmbeddedPython.Benchmarks.Baselines;
using EmbeddedPython.Benchmarks.Setup;
using Python.Runtime;

namespace EmbeddedPython.Benchmarks.Scenarios;

/// <summary>Scenario 2: scenario 1 with 64 requests in flight; figures are per request. Python.NET's callers are
/// 64 threads, each taking the GIL for its own scope's set/execute/get.</summary>
[Config(typeof(SteadyStateConfig))]
public class InFlightBenchmarks
{
    private const int InFlight = 64;

    private PythonExecutor _executor = null!;
    private JsonLinesWorker _worker = null!;
    private readonly PythonRequest _request = new() { Name = "double", Code = Workloads.Double, PresetValues = Workloads.X21, LimitReturnTo = Workloads.ReturnY };
    private readonly Task<PythonResult>[] _results = new Task<PythonResult>[InFlight];
    private readonly Task<Dictionary<string, object?>>[] _baselineResults = new Task<Dictionary<string, object?>>[InFlight];
    private readonly SemaphoreSlim[] _pythonNetGo = [.. Enumerable.Range(0, InFlight).Select(_ => new SemaphoreSlim(0))];
    private readonly CountdownEvent _pythonNetDone = new(InFlight);
    private readonly long[] _pythonNetResults = new long[InFlight];

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

    /// <summary>Python.NET alone in its process: 64 threads, each with its scope, that run one request per round.</summary>
    [GlobalSetup(Target = nameof(PythonNet_64_threads))]
    public void SetupPythonNet()
    {
        PythonNet.Start();
        var code = PythonNet.Compile(Workloads.Double);
        for (var i = 0; i < InFlight; i++)
        {
            var (slot, scope) = (i, PythonNet.Scope());
            new Thread(() =>
            {
                while (true)
                {
                    _pythonNetGo[slot].Wait();
                    _pythonNetResults[slot] = PythonNet.Double(scope, code);
                    _pythonNetDone.Signal();
                }
            }) { IsBackground = true, Name = $"Python.NET caller {slot}" }.Start();
        }
        PythonNet_64_threads();
        Workloads.Expect(_pythonNetResults.Sum(), 42L * InFlight, "Python.NET");
    }

    // Python.NET's benchmark process has neither (its CPython ends with the process).
    [GlobalCleanup]
    public void Cleanup()
    {
        _worker?.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _executor?.DisposeAsync().AsTask().GetAwaiter().GetResult();
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

    [Benchmark(OperationsPerInvoke = InFlight, Description = "Python.NET, 64 threads each taking the GIL")]
    public void PythonNet_64_threads()
    {
        _pythonNetDone.Reset();
        foreach (var go in _pythonNetGo)
            go.Release();
        _pythonNetDone.Wait();
    }

    [Benchmark(OperationsPerInvoke = InFlight, Description = "python3 -c per request, 64 in flight")]
    public Task Process_per_request()
    {
        for (var i = 0; i < InFlight; i++)
            _baselineResults[i] = ProcessPerRequest.RunAsync(Workloads.Double, Workloads.X21, Workloads.ReturnY);
        return Task.WhenAll(_baselineResults);
    }
}

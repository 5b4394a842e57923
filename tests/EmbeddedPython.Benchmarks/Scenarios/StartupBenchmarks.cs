using BenchmarkDotNet.Attributes;
using EmbeddedPython.Benchmarks.Baselines;
using EmbeddedPython.Benchmarks.Setup;
using Python.Runtime;

namespace EmbeddedPython.Benchmarks.Scenarios;

/// <summary>
/// Scenario 7: start-up to the first result, and disposal. CPython initialises once per process, so each
/// figure is the single invocation of a fresh benchmark process (<see cref="ColdStartConfig"/>), the
/// median over its launches.
/// </summary>
[Config(typeof(ColdStartConfig))]
public class StartupBenchmarks
{
    private PythonExecutor? _executor;
    private JsonLinesWorker? _worker;
    private readonly PythonRequest _request = new() { Name = "double", Code = Workloads.Double, PresetValues = Workloads.X21, LimitReturnTo = Workloads.ReturnY };

    private string _library = null!;

    // Resolved before the clock starts, as a deployed configuration would have them.
    [GlobalSetup]
    public void Setup()
    {
        _ = PythonCommand.Executable;
        _library = PythonCommand.Library;
    }

    [Benchmark(Description = "Executor: new PythonExecutor to first result")]
    public async Task<object?> Executor_start_to_first_result()
    {
        _executor = new PythonExecutor(new PythonExecutorOptions());
        return (await _executor.ExecuteAsync(_request)).Values["y"];
    }

    [Benchmark(Description = "Executor, PythonLibrary set: new PythonExecutor to first result")]
    public async Task<object?> Executor_with_library_path_start_to_first_result()
    {
        _executor = new PythonExecutor(new PythonExecutorOptions { PythonLibrary = _library });
        return (await _executor.ExecuteAsync(_request)).Values["y"];
    }

    [Benchmark(Description = "Executor: new PythonExecutor to WaitUntilStartedAsync")]
    public async Task<string?> Executor_start_to_started()
    {
        _executor = new PythonExecutor(new PythonExecutorOptions());
        await _executor.WaitUntilStartedAsync();
        return _executor.PythonVersion;
    }

    [Benchmark(Baseline = true, Description = "JSON-lines worker: start process to first result")]
    public async Task<object?> JsonLinesWorker_start_to_first_result()
    {
        _worker = JsonLinesWorker.Start();
        return (await _worker.RequestAsync(Workloads.Double, Workloads.X21, Workloads.ReturnY))["y"];
    }

    [Benchmark(Description = "python3 -c: one request")]
    public async Task<object?> Process_per_request_first_result() => (await ProcessPerRequest.RunAsync(Workloads.Double, Workloads.X21, Workloads.ReturnY))["y"];

    /// <summary>Python.NET told where the library is (it has no search of its own), to its first result.</summary>
    [Benchmark(Description = "Python.NET: Runtime.PythonDLL set, PythonEngine.Initialize to first result")]
    public long PythonNet_initialize_to_first_result()
    {
        PythonNet.Initialize();
        using var scope = Py.CreateScope();
        using var code = PythonEngine.Compile(Workloads.Double, "<benchmark>", RunFlagType.File);
        return PythonNet.Double(scope, code);
    }

    [IterationSetup(Targets = [nameof(PythonNet_shutdown)])]
    public void StartPythonNet()
    {
        Workloads.Expect(PythonNet_initialize_to_first_result(), 42L, "Python.NET");
    }

    [Benchmark(Description = "Python.NET: PythonEngine.Shutdown")]
    public void PythonNet_shutdown() => PythonEngine.Shutdown();

    [IterationSetup(Targets = [nameof(Executor_dispose)])]
    public void StartExecutor()
    {
        _executor = Workloads.StartExecutor();
        Workloads.Expect(_executor.ExecuteAsync(_request).GetAwaiter().GetResult().Values["y"], 42L, "the executor");
    }

    [IterationSetup(Targets = [nameof(JsonLinesWorker_dispose)])]
    public void StartWorker()
    {
        _worker = JsonLinesWorker.Start();
        Workloads.Expect(_worker.RequestAsync(Workloads.Double, Workloads.X21, Workloads.ReturnY).GetAwaiter().GetResult()["y"], 42L, "the JSON-lines worker");
    }

    [Benchmark(Description = "Executor: DisposeAsync, then ShutdownPythonAsync (Py_FinalizeEx)")]
    public async Task Executor_dispose()
    {
        var executor = _executor!;
        _executor = null;
        await executor.DisposeAsync();
        await PythonExecutor.ShutdownPythonAsync(); // disposing the last executor leaves CPython up
    }

    [Benchmark(Description = "JSON-lines worker: close stdin, wait for exit")]
    public ValueTask JsonLinesWorker_dispose()
    {
        var worker = _worker!;
        _worker = null;
        return worker.DisposeAsync();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _worker?.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _executor?.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }
}

using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using EmbeddedPython.Benchmarks.Baselines;
using EmbeddedPython.Benchmarks.Setup;
using Python.Runtime;

namespace EmbeddedPython.Benchmarks.Scenarios;

/// <summary>
/// Scenario 5: large values in both directions. To Python: the value is a preset and the code returns
/// <c>len(v)</c>. From Python: the code returns a value built once in a module (see
/// <see cref="Workloads.LargeValuesModule"/>), so the figure is conversion and transport only.
/// </summary>
[Config(typeof(SteadyStateConfig))]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory, BenchmarkLogicalGroupRule.ByParams)]
[CategoriesColumn]
public class LargeValueBenchmarks
{
    private static readonly IReadOnlyList<string> ReturnN = ["n"];
    private static readonly IReadOnlyList<string> ReturnV = ["v"];

    private PythonExecutor _executor = null!;
    private JsonLinesWorker _worker = null!;
    private IReadOnlyDictionary<string, object?> _presets = null!;
    private PythonRequest _toPython = null!;
    private PythonRequest _fromPython = null!;
    private string _fromPythonCode = null!;
    private int _expectedLength;
    private object _value = null!;
    private PyModule _pythonNetScope = null!;
    private PyObject _pythonNetLength = null!;
    private PyObject _pythonNetFromPython = null!;

    /// <summary>The value: 1 MB of bytes, a list of 100,000 ints or a dict of 10,000 str → int.</summary>
    [Params("bytes 1 MB", "list 100k ints", "dict 10k keys")]
    public string Value { get; set; } = "";

    /// <summary>The value of <see cref="Value"/> and the code that returns its Python twin.</summary>
    private void Prepare()
    {
        (_value, string module, _expectedLength) = Value switch
        {
            "bytes 1 MB" => ((object)Enumerable.Range(0, 1 << 20).Select(i => (byte)i).ToArray(), "bytes_1mb", 1 << 20),
            "list 100k ints" => (Enumerable.Range(0, 100_000).Select(i => (long)i).ToList(), "int_list_100k", 100_000),
            "dict 10k keys" => (Enumerable.Range(0, 10_000).ToDictionary(i => "k" + i, i => (object?)(long)i), "dict_10k", 10_000),
            _ => throw new ArgumentException($"Unknown value {Value}."),
        };
        _presets = new Dictionary<string, object?> { ["v"] = _value };
        _fromPythonCode = $"from bench_data import {module} as v";
    }

    [GlobalSetup]
    public void Setup()
    {
        _executor = Workloads.StartExecutor();
        _worker = JsonLinesWorker.Start();
        _executor.ExecuteAsync(new PythonRequest { Code = Workloads.LargeValuesModule, LimitReturnTo = [] }).GetAwaiter().GetResult();
        _worker.RequestAsync(Workloads.LargeValuesModule, null, []).GetAwaiter().GetResult();
        Prepare();
        _toPython = new PythonRequest { Name = "len", Code = "n = len(v)", PresetValues = _presets, LimitReturnTo = ReturnN };
        _fromPython = new PythonRequest { Name = "large " + _fromPythonCode, Code = _fromPythonCode, LimitReturnTo = ReturnV };

        Workloads.Expect(Executor_to_Python().GetAwaiter().GetResult(), (long)_expectedLength, "the executor (to Python)");
        Workloads.Expect(JsonLinesWorker_to_Python().GetAwaiter().GetResult(), (long)_expectedLength, "the JSON-lines worker (to Python)");
        Workloads.Expect(Length(Executor_from_Python().GetAwaiter().GetResult()), _expectedLength, "the executor (from Python)");
        Workloads.Expect(Length(JsonLinesWorker_from_Python().GetAwaiter().GetResult()), _expectedLength, "the JSON-lines worker (from Python)");
    }

    private static int Length(object? value) => value switch
    {
        byte[] bytes => bytes.Length,
        List<object?> list => list.Count,
        Dictionary<string, object?> dict => dict.Count,
        _ => -1,
    };

    /// <summary>Python.NET alone in its process: the same values converted by hand both ways (<see cref="PythonNet"/>).</summary>
    [GlobalSetup(Targets = [nameof(PythonNet_to_Python), nameof(PythonNet_from_Python)])]
    public void SetupPythonNet()
    {
        PythonNet.Start();
        Prepare();
        _pythonNetScope = PythonNet.Scope();
        _pythonNetLength = PythonNet.Compile("n = len(v)");
        _pythonNetFromPython = PythonNet.Compile(_fromPythonCode);
        using (Py.GIL())
            _pythonNetScope.Execute(PythonNet.Compile(Workloads.LargeValuesModule)).Dispose();
        Workloads.Expect(PythonNet_to_Python(), (long)_expectedLength, "Python.NET (to Python)");
        Workloads.Expect(Length(PythonNet_from_Python()), _expectedLength, "Python.NET (from Python)");
    }

    // Python.NET's benchmark process has neither (its CPython ends with the process).
    [GlobalCleanup]
    public void Cleanup()
    {
        _worker?.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _executor?.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }

    [Benchmark(Description = "Executor"), BenchmarkCategory("to Python")]
    public async Task<object?> Executor_to_Python() => (await _executor.ExecuteAsync(_toPython)).Values["n"];

    [Benchmark(Baseline = true, Description = "JSON-lines worker"), BenchmarkCategory("to Python")]
    public async Task<object?> JsonLinesWorker_to_Python() => (await _worker.RequestAsync("n = len(v)", _presets, ReturnN))["n"];

    [Benchmark(Description = "Python.NET, same thread"), BenchmarkCategory("to Python")]
    public object? PythonNet_to_Python()
    {
        using (Py.GIL())
        {
            using var value = PythonNet.ToPython(_value);
            _pythonNetScope.Set("v", value);
            _pythonNetScope.Execute(_pythonNetLength).Dispose();
            return _pythonNetScope.Get<long>("n");
        }
    }

    [Benchmark(Description = "Executor"), BenchmarkCategory("from Python")]
    public async Task<object?> Executor_from_Python() => (await _executor.ExecuteAsync(_fromPython)).Values["v"];

    [Benchmark(Baseline = true, Description = "JSON-lines worker"), BenchmarkCategory("from Python")]
    public async Task<object?> JsonLinesWorker_from_Python() => (await _worker.RequestAsync(_fromPythonCode, null, ReturnV))["v"];

    [Benchmark(Description = "Python.NET, same thread"), BenchmarkCategory("from Python")]
    public object? PythonNet_from_Python()
    {
        using (Py.GIL())
        {
            _pythonNetScope.Execute(_pythonNetFromPython).Dispose();
            using var value = _pythonNetScope.Get("v");
            return PythonNet.ToDotNet(value);
        }
    }
}

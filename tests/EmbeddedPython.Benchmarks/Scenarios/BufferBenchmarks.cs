using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using EmbeddedPython.Benchmarks.Setup;
using EmbeddedPython.CPython;
using EmbeddedPython.Marshalling;

namespace EmbeddedPython.Benchmarks.Scenarios;

/// <summary>
/// Scenario 9: one million doubles between .NET and numpy, the list path of DESIGN §4 (baseline) against the
/// buffer path of §3b. Needs numpy: run with Debian's Python,
/// <c>EMBEDDEDPYTHON_LIBPYTHON=/usr/lib/x86_64-linux-gnu/libpython3.11.so.1.0</c> (python3-numpy).
/// The list path goes through requests (a preset list; <c>tolist()</c> returned and read with Get&lt;double[]&gt;).
/// The buffer path converts on the interpreter thread with TypedConversion, as the call API will.
/// </summary>
[Config(typeof(SteadyStateConfig))]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class BufferBenchmarks
{
    private const int Count = 1_000_000;
    private static readonly double[] Data = Enumerable.Range(0, Count).Select(i => i * 0.5).ToArray();

    private PythonExecutor _executor = null!;
    private PythonRequest _listToNumpy = null!;
    private PythonRequest _listFromNumpy = null!;
    private PythonRequest _listRoundTrip = null!;
    private PythonRequest _bufferToNumpy = null!;

    [GlobalSetup]
    public void Setup()
    {
        _executor = new PythonExecutor(new PythonExecutorOptions());
        _executor.WaitUntilStartedAsync().GetAwaiter().GetResult();
        // The numpy array the "from numpy" cases read, made once and kept in a module.
        _executor.ExecuteAsync(new PythonRequest
        {
            Code = "import numpy, sys, types\nm = types.ModuleType('bench_buffers')\nm.array = numpy.arange(1_000_000) * 0.5\nm.asarray = numpy.asarray\nsys.modules['bench_buffers'] = m",
            LimitReturnTo = [],
        }).GetAwaiter().GetResult();
        var list = new Dictionary<string, object?> { ["v"] = Data };
        _listToNumpy = new PythonRequest { Name = "list to numpy", Code = "import numpy\nn = len(numpy.asarray(v, dtype='float64'))", PresetValues = list, LimitReturnTo = ["n"] };
        _listFromNumpy = new PythonRequest { Name = "list from numpy", Code = "from bench_buffers import array\nv = array.tolist()", LimitReturnTo = ["v"] };
        _listRoundTrip = new PythonRequest { Name = "list round trip", Code = "import numpy\nv = (numpy.asarray(v, dtype='float64') * 1).tolist()", PresetValues = list, LimitReturnTo = ["v"] };
        _bufferToNumpy = new PythonRequest
        {
            Name = "buffer to numpy",
            Code = "import numpy\nn = len(numpy.asarray(v))",
            PresetValues = new Dictionary<string, object?> { ["v"] = new ReadOnlyMemory<double>(Data) },
            LimitReturnTo = ["n"],
        };
        Check(List_to_numpy().GetAwaiter().GetResult() == Count, "list to numpy");
        Check(Buffer_to_numpy().GetAwaiter().GetResult() == Count, "buffer to numpy");
        Check(List_from_numpy().GetAwaiter().GetResult().SequenceEqual(Data), "list from numpy");
        Check(Buffer_from_numpy().GetAwaiter().GetResult().SequenceEqual(Data), "buffer from numpy");
        Check(List_round_trip().GetAwaiter().GetResult().SequenceEqual(Data), "list round trip");
        Check(Buffer_round_trip().GetAwaiter().GetResult().SequenceEqual(Data), "buffer round trip");
    }

    private static void Check(bool ok, string what)
    {
        if (!ok)
            throw new InvalidOperationException($"The {what} path returned the wrong value.");
    }

    [GlobalCleanup]
    public void Cleanup() => _executor.DisposeAsync().AsTask().GetAwaiter().GetResult();

    [Benchmark(Baseline = true, Description = "list (preset double[])"), BenchmarkCategory("to numpy")]
    public async Task<long> List_to_numpy() => (await _executor.ExecuteAsync(_listToNumpy)).Get<long>("n");

    [Benchmark(Description = "buffer (preset ReadOnlyMemory<double>)"), BenchmarkCategory("to numpy")]
    public async Task<long> Buffer_to_numpy() => (await _executor.ExecuteAsync(_bufferToNumpy)).Get<long>("n");

    [Benchmark(Baseline = true, Description = "list (tolist(), Get<double[]>)"), BenchmarkCategory("from numpy")]
    public async Task<double[]> List_from_numpy() => (await _executor.ExecuteAsync(_listFromNumpy)).Get<double[]>("v");

    [Benchmark(Description = "buffer (FromPython<double[]>)"), BenchmarkCategory("from numpy")]
    public Task<double[]> Buffer_from_numpy() => OnInterpreter(() =>
    {
        using var array = Attribute("array");
        return TypedConversion.FromPython<double[]>(array.Handle, "array");
    });

    [Benchmark(Baseline = true, Description = "list (preset, tolist(), Get<double[]>)"), BenchmarkCategory("round trip")]
    public async Task<double[]> List_round_trip() => (await _executor.ExecuteAsync(_listRoundTrip)).Get<double[]>("v");

    [Benchmark(Description = "buffer (ToPython, numpy.asarray, FromPython<double[]>)"), BenchmarkCategory("round trip")]
    public Task<double[]> Buffer_round_trip() => OnInterpreter(RoundTrip);

    private static unsafe double[] RoundTrip()
    {
        using var asarray = Attribute("asarray");
        using var view = TypedConversion.ToPython(Data, "data");
        using var args = PyObject.Steal(Py.Tuple(view.Handle));
        using var array = PyObject.Steal(Py.PyObject_CallObject(asarray.Handle, args.Handle));
        return TypedConversion.FromPython<double[]>(array.Handle, "array");
    }

    private static PyObject Attribute(string name)
    {
        using var module = Py.Import("bench_buffers");
        return Py.GetAttr(module.Handle, name);
    }

    private Task<T> OnInterpreter<T>(Func<T> work)
    {
        var done = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        _executor.Interpreter.Post(() =>
        {
            try { done.SetResult(work()); }
            catch (Exception e) { done.SetException(e); }
        });
        return done.Task;
    }
}

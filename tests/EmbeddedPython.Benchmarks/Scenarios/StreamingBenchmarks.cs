using BenchmarkDotNet.Attributes;
using EmbeddedPython.Benchmarks.Baselines;
using EmbeddedPython.Benchmarks.Setup;
using Python.Runtime;

namespace EmbeddedPython.Benchmarks.Scenarios;

/// <summary>Scenario 6: one streaming request emitting 100,000 small ints; figures are per message. Python.NET has
/// no stream of its own: its users iterate a Python generator from C# (<c>bench_calls.count</c>) with the GIL held.</summary>
[Config(typeof(SteadyStateConfig))]
public class StreamingBenchmarks
{
    private PythonExecutor _executor = null!;
    private JsonLinesWorker _worker = null!;
    private readonly PythonRequest _throughModule = new() { Name = "stream module", Code = Workloads.StreamThroughModule };
    private readonly PythonRequest _throughHandle = new() { Name = "stream handle", Code = Workloads.StreamThroughHandle };
    private PyObject _pythonNetCount = null!;

    [GlobalSetup]
    public void Setup()
    {
        _executor = Workloads.StartExecutor();
        _worker = JsonLinesWorker.Start();
        Workloads.Expect(Executor_embedded_python_emit().GetAwaiter().GetResult(), Workloads.StreamedMessages, "the executor (embedded_python.emit)");
        Workloads.Expect(Executor_request_handle_emit().GetAwaiter().GetResult(), Workloads.StreamedMessages, "the executor (handle.emit)");
        Workloads.Expect(JsonLinesWorker_persistent().GetAwaiter().GetResult(), Workloads.StreamedMessages, "the JSON-lines worker");
    }

    /// <summary>Python.NET alone in its process.</summary>
    [GlobalSetup(Target = nameof(PythonNet_generator))]
    public void SetupPythonNet()
    {
        PythonNet.Start();
        using (Py.GIL())
        {
            using var module = Py.Import("bench_calls");
            _pythonNetCount = module.GetAttr("count");
        }
        Workloads.Expect(PythonNet_generator(), Workloads.StreamedMessages, "Python.NET (generator)");
    }

    // Python.NET's benchmark process has neither (its CPython ends with the process).
    [GlobalCleanup]
    public void Cleanup()
    {
        _worker?.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _executor?.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }

    [Benchmark(OperationsPerInvoke = Workloads.StreamedMessages, Description = "Executor StreamAsync, embedded_python.emit(i)")]
    public Task<int> Executor_embedded_python_emit() => CountAsync(_throughModule);

    [Benchmark(OperationsPerInvoke = Workloads.StreamedMessages, Description = "Executor StreamAsync, current_request().emit(i)")]
    public Task<int> Executor_request_handle_emit() => CountAsync(_throughHandle);

    [Benchmark(OperationsPerInvoke = Workloads.StreamedMessages, Baseline = true, Description = "JSON-lines worker, one line per message")]
    public Task<int> JsonLinesWorker_persistent() => _worker.StreamAsync(Workloads.StreamFromWorker);

    [Benchmark(OperationsPerInvoke = Workloads.StreamedMessages, Description = "Python.NET, a generator iterated from C# (PyIter, each item As<long>)")]
    public int PythonNet_generator()
    {
        var count = 0;
        using (Py.GIL())
        {
            using var n = new PyInt(Workloads.StreamedMessages);
            using var generator = _pythonNetCount.Invoke(n);
            using var items = PyIter.GetIter(generator);
            while (items.MoveNext())
            {
                using var item = items.Current;
                if (item.As<long>() == count)
                    count++;
            }
        }
        return count;
    }

    private async Task<int> CountAsync(PythonRequest request)
    {
        // The final message is complete()'s, with no value: count only the emitted ones.
        var count = 0;
        await foreach (var message in _executor.StreamAsync(request))
        {
            if (!message.IsFinal)
                count++;
        }
        return count;
    }
}

using BenchmarkDotNet.Attributes;
using EmbeddedPython.Benchmarks.Baselines;
using EmbeddedPython.Benchmarks.Setup;

namespace EmbeddedPython.Benchmarks.Scenarios;

/// <summary>Scenario 6: one streaming request emitting 100,000 small ints; figures are per message.</summary>
[Config(typeof(SteadyStateConfig))]
public class StreamingBenchmarks
{
    private PythonExecutor _executor = null!;
    private JsonLinesWorker _worker = null!;
    private readonly PythonRequest _throughModule = new() { Name = "stream module", Code = Workloads.StreamThroughModule };
    private readonly PythonRequest _throughHandle = new() { Name = "stream handle", Code = Workloads.StreamThroughHandle };

    [GlobalSetup]
    public void Setup()
    {
        _executor = Workloads.StartExecutor();
        _worker = JsonLinesWorker.Start();
        Workloads.Expect(Executor_embedded_python_emit().GetAwaiter().GetResult(), Workloads.StreamedMessages, "the executor (embedded_python.emit)");
        Workloads.Expect(Executor_request_handle_emit().GetAwaiter().GetResult(), Workloads.StreamedMessages, "the executor (handle.emit)");
        Workloads.Expect(JsonLinesWorker_persistent().GetAwaiter().GetResult(), Workloads.StreamedMessages, "the JSON-lines worker");
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _worker.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _executor.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }

    [Benchmark(OperationsPerInvoke = Workloads.StreamedMessages, Description = "Executor StreamAsync, embedded_python.emit(i)")]
    public Task<int> Executor_embedded_python_emit() => CountAsync(_throughModule);

    [Benchmark(OperationsPerInvoke = Workloads.StreamedMessages, Description = "Executor StreamAsync, current_request().emit(i)")]
    public Task<int> Executor_request_handle_emit() => CountAsync(_throughHandle);

    [Benchmark(OperationsPerInvoke = Workloads.StreamedMessages, Baseline = true, Description = "JSON-lines worker, one line per message")]
    public Task<int> JsonLinesWorker_persistent() => _worker.StreamAsync(Workloads.StreamFromWorker);

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

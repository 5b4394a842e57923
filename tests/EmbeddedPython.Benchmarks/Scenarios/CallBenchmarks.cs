using BenchmarkDotNet.Attributes;
using EmbeddedPython.Benchmarks.Setup;

namespace EmbeddedPython.Benchmarks.Scenarios;

/// <summary>
/// Scenario 9: the call API. <c>add(1, 2)</c> called directly against the cached request doing the same
/// addition (the baseline); a method of a kept object; a handle created and disposed; and, per item, a
/// generator of 100k yields streamed through <c>StreamCallAsync</c>. Awaited one at a time, per operation.
/// </summary>
[Config(typeof(SteadyStateConfig))]
public class CallBenchmarks
{
    private PythonExecutor _executor = null!;
    private PythonObject _counter = null!;

    private readonly PythonCall _add = new("bench_calls", "add") { Args = [1L, 2L] };
    private readonly PythonCall _create = new("bench_calls", "Counter");
    private readonly PythonCall _count = new("bench_calls", "count") { Args = [Workloads.StreamedMessages] };
    private readonly PythonRequest _request = new()
    {
        Name = "add",
        Code = "y = a + b",
        PresetValues = new Dictionary<string, object?> { ["a"] = 1L, ["b"] = 2L },
        LimitReturnTo = Workloads.ReturnY,
    };

    [GlobalSetup]
    public void Setup()
    {
        _executor = Workloads.StartExecutor();
        _counter = _executor.CallAsync<PythonObject>(_create).GetAwaiter().GetResult();
        Workloads.Expect(Call().GetAwaiter().GetResult(), 3L * Workloads.Sequential, "the call");
        Workloads.Expect(Request().GetAwaiter().GetResult(), 3L * Workloads.Sequential, "the request");
        Workloads.Expect(Handle_round_trip().GetAwaiter().GetResult(), Workloads.Sequential, "the handle round trip");
        Workloads.Expect(Stream_call().GetAwaiter().GetResult(), (long)Workloads.StreamedMessages * (Workloads.StreamedMessages - 1) / 2, "the streamed call");
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _counter.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _executor.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }

    [Benchmark(OperationsPerInvoke = Workloads.Sequential, Baseline = true, Description = "Cached request y = a + b")]
    public async Task<long> Request()
    {
        long sum = 0;
        for (var i = 0; i < Workloads.Sequential; i++)
            sum += (long)(await _executor.ExecuteAsync(_request)).Values["y"]!;
        return sum;
    }

    [Benchmark(OperationsPerInvoke = Workloads.Sequential, Description = "CallAsync<long> add(1, 2)")]
    public async Task<long> Call()
    {
        long sum = 0;
        for (var i = 0; i < Workloads.Sequential; i++)
            sum += await _executor.CallAsync<long>(_add);
        return sum;
    }

    [Benchmark(OperationsPerInvoke = Workloads.Sequential, Description = "Method of a kept object (handle)")]
    public async Task<long> Method_on_handle()
    {
        long last = 0;
        for (var i = 0; i < Workloads.Sequential; i++)
            last = await _counter.CallMethodAsync<long>("increment");
        return last;
    }

    [Benchmark(OperationsPerInvoke = Workloads.Sequential, Description = "Handle round trip (create + dispose)")]
    public async Task<int> Handle_round_trip()
    {
        var created = 0;
        for (var i = 0; i < Workloads.Sequential; i++)
        {
            var handle = await _executor.CallAsync<PythonObject>(_create);
            await handle.DisposeAsync();
            created++;
        }
        return created;
    }

    [Benchmark(OperationsPerInvoke = Workloads.StreamedMessages, Description = "StreamCallAsync<long>, per item of 100k")]
    public async Task<long> Stream_call()
    {
        long sum = 0;
        await foreach (var item in _executor.StreamCallAsync<long>(_count))
            sum += item;
        return sum;
    }
}

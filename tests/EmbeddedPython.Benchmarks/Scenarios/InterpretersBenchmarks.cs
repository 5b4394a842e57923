using BenchmarkDotNet.Attributes;
using EmbeddedPython.Benchmarks.Setup;

namespace EmbeddedPython.Benchmarks.Scenarios;

/// <summary>
/// Issue 16: one executor with one interpreter against one with two (the main one and a sub-interpreter with
/// its own GIL; CPython 3.12+, chosen with EMBEDDEDPYTHON_LIBPYTHON). A CPU-bound request and a sleeping one
/// from 64 callers at once, and scenario 1's cached tiny request awaited one at a time; figures are per request.
/// </summary>
[Config(typeof(SteadyStateConfig))]
public class InterpretersBenchmarks
{
    private const int Callers = 64;

    private PythonExecutor _executor = null!;
    private readonly Task<PythonResult>[] _results = new Task<PythonResult>[Callers];
    private readonly PythonRequest _cpuBound = new() { Name = "squares", Code = "s = 0\nfor i in range(300000):\n    s += i * i", LimitReturnTo = ["s"] };
    private readonly PythonRequest _sleepBound = new() { Name = "nap", Code = "import time\ntime.sleep(0.005)\ndone = True", LimitReturnTo = ["done"] };
    private readonly PythonRequest _tiny = new() { Name = "double", Code = Workloads.Double, PresetValues = Workloads.X21, LimitReturnTo = Workloads.ReturnY };

    /// <summary>PythonExecutorOptions.Interpreters.</summary>
    [Params(1, 2)]
    public int Interpreters { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _executor = new PythonExecutor(new PythonExecutorOptions { Interpreters = Interpreters });
        _executor.WaitUntilStartedAsync().GetAwaiter().GetResult();
        CpuBound_64_callers().GetAwaiter().GetResult();
        Workloads.Expect(_results[^1].Result.Values["s"], 8999955000050000L, "the CPU-bound request");
        SleepBound_64_callers().GetAwaiter().GetResult();
        Workloads.Expect(_results[^1].Result.Values["done"], true, "the sleeping request");
        Workloads.Expect(Cached_tiny_request().GetAwaiter().GetResult(), 42L * Workloads.Sequential, "the tiny request");
    }

    [GlobalCleanup]
    public void Cleanup() => _executor.DisposeAsync().AsTask().GetAwaiter().GetResult();

    [Benchmark(OperationsPerInvoke = Callers, Description = "CPU-bound request (300k-step loop), 64 callers")]
    public Task CpuBound_64_callers() => FromCallers(_cpuBound);

    [Benchmark(OperationsPerInvoke = Callers, Description = "time.sleep(0.005) request, 64 callers")]
    public Task SleepBound_64_callers() => FromCallers(_sleepBound);

    [Benchmark(OperationsPerInvoke = Workloads.Sequential, Description = "Cached tiny request, awaited one at a time")]
    public async Task<long> Cached_tiny_request()
    {
        long sum = 0;
        for (var i = 0; i < Workloads.Sequential; i++)
            sum += (long)(await _executor.ExecuteAsync(_tiny)).Values["y"]!;
        return sum;
    }

    private Task FromCallers(PythonRequest request)
    {
        for (var i = 0; i < Callers; i++)
            _results[i] = _executor.ExecuteAsync(request);
        return Task.WhenAll(_results);
    }
}

using System.Diagnostics;
using System.Runtime.InteropServices;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Engines;
using BenchmarkDotNet.Jobs;
using EmbeddedPython.Benchmarks.Baselines;
using EmbeddedPython.Benchmarks.Setup;
using Python.Runtime;

namespace EmbeddedPython.Benchmarks.Scenarios;

/// <summary>
/// Sporadic requests: scenario 1's cached request, one every 100 µs or every 1 ms, so that what a thread
/// wake costs is visible (the steady scenarios keep both threads busy and never pay it). Each iteration is one
/// request (<see cref="SporadicConfig"/>); its setup waits until the next one is due: spinning until 100 µs after
/// the previous start (no timer is that fine), or sleeping 1 ms on a timer, so the caller is idle too. The median
/// and P95 of the iterations are the latency figures, a P99 column is added. <see cref="PythonExecutorOptions.IdleSpin"/>
/// is a parameter: the default 50 µs, and 2 ms (covers a 1 ms gap: no wake, a core spent spinning). What the
/// process used in CPU over the run is printed at its end ("// CPU ..."), which is the price of the spin.
/// </summary>
[Config(typeof(SporadicConfig))]
public class SporadicBenchmarks
{
    private PythonExecutor _executor = null!;
    private JsonLinesWorker _worker = null!;
    private readonly PythonRequest _request = new() { Name = "double", Code = Workloads.Double, PresetValues = Workloads.X21, LimitReturnTo = Workloads.ReturnY };
    private long _lastStart;
    private PyModule _pythonNetScope = null!;
    private PyObject _pythonNetCode = null!;
    private TimeSpan _cpuAtStart;
    private TimeSpan _threadCpuAtStart;
    private long _wallAtStart;

    /// <summary>From the start of one request to the start of the next, in microseconds.</summary>
    [Params(100, 1000)]
    public int SpacingMicroseconds { get; set; }

    /// <summary><see cref="PythonExecutorOptions.IdleSpin"/> in microseconds (the executor rows only).</summary>
    [Params(50, 2000)]
    public int IdleSpinMicroseconds { get; set; }

    [GlobalSetup(Targets = [nameof(Executor), nameof(Executor_value_task)])]
    public void SetupExecutor()
    {
        _executor = Workloads.StartExecutor(o => o.IdleSpin = TimeSpan.FromMicroseconds(IdleSpinMicroseconds));
        Workloads.Expect(Executor().GetAwaiter().GetResult(), 42L, "the executor");
        Workloads.Expect(Executor_value_task().GetAwaiter().GetResult(), 42L, "the executor's ValueTask method");
        StartCpuWatch();
    }

    /// <summary>Python.NET alone in its process: the same request on the caller's own thread, no hand-off at all.
    /// What it costs right after the same wait is this machine's floor for a request after a gap.</summary>
    [GlobalSetup(Target = nameof(PythonNet_same_thread))]
    public void SetupPythonNet()
    {
        PythonNet.Start();
        _pythonNetScope = PythonNet.Scope();
        _pythonNetCode = PythonNet.Compile(Workloads.Double);
        Workloads.Expect(PythonNet_same_thread(), 42L, "Python.NET");
        StartCpuWatch();
    }

    [GlobalSetup(Target = nameof(JsonLinesWorker_persistent))]
    public void SetupWorker()
    {
        _worker = JsonLinesWorker.Start();
        Workloads.Expect(JsonLinesWorker_persistent().GetAwaiter().GetResult(), 42L, "the JSON-lines worker");
        StartCpuWatch();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        // The benchmark's own thread waits for each request's due time (spinning for 100 µs): left out, so the
        // figure is what the executor's threads (or the worker client's) spent.
        var cpu = Process.GetCurrentProcess().TotalProcessorTime - _cpuAtStart - (ThreadUsage.Current() - _threadCpuAtStart);
        var wall = Stopwatch.GetElapsedTime(_wallAtStart);
        Console.WriteLine($"// CPU of this process over the run, the benchmark thread left out: {100 * cpu / wall:F0}% of a core ({cpu.TotalMilliseconds:F0} ms in {wall.TotalMilliseconds:F0} ms)");
        _worker?.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _executor?.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }

    [IterationSetup]
    public void WaitForTheNextRequest()
    {
        if (SpacingMicroseconds >= 1000)
        {
            // A timer's wait: the caller sleeps too. Thread.Sleep counts whole milliseconds (a TimeSpan below one
            // is a mere yield), and Linux wakes the thread some 50-100 µs late: a request every 1.05-1.1 ms.
            Thread.Sleep(SpacingMicroseconds / 1000);
            return;
        }
        var due = _lastStart + (long)(SpacingMicroseconds * (Stopwatch.Frequency / 1e6));
        while (Stopwatch.GetTimestamp() < due)
            Thread.SpinWait(8);
    }

    [Benchmark(Description = "Executor, one request after a gap")]
    public async Task<object?> Executor()
    {
        _lastStart = Stopwatch.GetTimestamp();
        var y = (await _executor.ExecuteAsync(_request)).Values["y"];
        return y;
    }

    [Benchmark(Description = "Executor, ExecuteValueAsync (the caller spins too)")]
    public async Task<object?> Executor_value_task()
    {
        _lastStart = Stopwatch.GetTimestamp();
        var y = (await _executor.ExecuteValueAsync(_request)).Values["y"];
        return y;
    }

    [Benchmark(Description = "Python.NET, same thread, one request after a gap")]
    public long PythonNet_same_thread()
    {
        _lastStart = Stopwatch.GetTimestamp();
        return PythonNet.Double(_pythonNetScope, _pythonNetCode);
    }

    [Benchmark(Baseline = true, Description = "JSON-lines worker, one request after a gap")]
    public async Task<object?> JsonLinesWorker_persistent()
    {
        _lastStart = Stopwatch.GetTimestamp();
        var y = (await _worker.RequestAsync(Workloads.Double, Workloads.X21, Workloads.ReturnY))["y"];
        return y;
    }

    private void StartCpuWatch()
    {
        _cpuAtStart = Process.GetCurrentProcess().TotalProcessorTime;
        _threadCpuAtStart = ThreadUsage.Current();
        _wallAtStart = Stopwatch.GetTimestamp();
        _lastStart = Stopwatch.GetTimestamp();
    }
}

/// <summary>CPU time of the calling thread (getrusage RUSAGE_THREAD: microseconds, where /proc counts 10 ms ticks).</summary>
internal static partial class ThreadUsage
{
    [StructLayout(LayoutKind.Sequential)]
    private unsafe struct Usage
    {
        public long UserSeconds, UserMicroseconds, SystemSeconds, SystemMicroseconds;
        private fixed long _rest[14];
    }

    [LibraryImport("libc", EntryPoint = "getrusage")]
    private static partial int GetUsage(int who, out Usage usage);

    public static TimeSpan Current()
    {
        if (GetUsage(1, out var usage) != 0)
            throw new InvalidOperationException("getrusage(RUSAGE_THREAD) failed");
        return TimeSpan.FromSeconds(usage.UserSeconds + usage.SystemSeconds) + TimeSpan.FromMicroseconds(usage.UserMicroseconds + usage.SystemMicroseconds);
    }
}

/// <summary>One request per iteration (no unrolling, one invocation), many iterations: the iterations'
/// distribution is the requests' latency distribution. The memory diagnoser is off (it would add a run).</summary>
internal sealed class SporadicConfig : ManualConfig
{
    public SporadicConfig()
    {
        AddJob(Job.Default
            .WithStrategy(RunStrategy.Monitoring)
            .WithLaunchCount(1)
            .WithWarmupCount(RunSettings.Quick ? 20 : 100)
            .WithIterationCount(RunSettings.Quick ? 300 : 2000)
            .WithInvocationCount(1)
            .WithUnrollFactor(1)
            .WithGcForce(false) // a collection before every iteration would stop both threads before each request
            .WithId(RunSettings.Quick ? "QuickSporadic" : "Sporadic"));
        AddColumn(StatisticColumn.P90, new NinetyNinthPercentileColumn(), StatisticColumn.P100);
    }
}

/// <summary>The 99th percentile of the iterations (BenchmarkDotNet's own columns stop at P95 below the maximum).</summary>
internal sealed class NinetyNinthPercentileColumn : IColumn
{
    public string Id => "P99";
    public string ColumnName => "P99";
    public bool AlwaysShow => true;
    public ColumnCategory Category => ColumnCategory.Statistics;
    public int PriorityInCategory => 0;
    public bool IsNumeric => true;
    public UnitType UnitType => UnitType.Time;
    public string Legend => "99th percentile of the iterations";
    public bool IsAvailable(Summary summary) => true;
    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style) =>
        summary[benchmarkCase]?.ResultStatistics is { } statistics
            ? $"{statistics.Percentiles.Percentile(99) / 1000:N1} μs"
            : "NA";
}

using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Engines;
using BenchmarkDotNet.Jobs;
using Perfolizer.Horology;

namespace EmbeddedPython.Benchmarks.Setup;

/// <summary>
/// The two ways the suite runs: the full run (figures for the README) and <c>--quick</c> (a short check
/// while developing). Read by the job attributes below in the host process, before any benchmark runs.
/// </summary>
internal static class RunSettings
{
    public static bool Quick { get; set; }

    /// <summary>Run-wide settings: the median, the 95th percentile and the artifacts folder. The build of the
    /// generated benchmark project may take longer than the default 2 minutes on a busy 2-core machine.</summary>
    public static IConfig Create(string artifactsPath) => DefaultConfig.Instance
        .AddColumn(StatisticColumn.Median, StatisticColumn.P95)
        .WithArtifactsPath(artifactsPath)
        .WithBuildTimeout(TimeSpan.FromMinutes(10));
}

/// <summary>
/// Steady-state measurements: one process per benchmark (CPython starts once per process), warm-up, then
/// iterations of at least 250 ms each. The full run uses 3 warm-ups and 9 iterations (a ShortRun-style
/// job with more iterations, so the suite fits in about 25 minutes on 2 cores); --quick uses 1 and 3.
/// </summary>
internal sealed class SteadyStateConfig : ManualConfig
{
    public SteadyStateConfig()
    {
        var job = Job.Default.WithLaunchCount(1);
        job = RunSettings.Quick
            ? job.WithWarmupCount(1).WithIterationCount(3).WithIterationTime(TimeInterval.FromMilliseconds(100))
            : job.WithWarmupCount(3).WithIterationCount(9).WithIterationTime(TimeInterval.FromMilliseconds(250));
        AddJob(job.WithId(RunSettings.Quick ? "Quick" : "Steady"));
        // Bytes allocated per operation, on every thread (the interpreter thread's included).
        AddDiagnoser(MemoryDiagnoser.Default);
    }
}

/// <summary>
/// Start-up and disposal: each measurement is the single invocation of a fresh process (ColdStart, no
/// warm-up, one iteration), repeated over 15 launches (--quick: 3). The time is what the benchmark method
/// takes in that process: .NET's own start-up is not in it, the first-call JIT of the library is. No memory
/// diagnoser here: it would invoke the benchmark a second time in the process, and CPython starts only once.
/// </summary>
internal sealed class ColdStartConfig : ManualConfig
{
    public ColdStartConfig()
    {
        AddJob(Job.Default
            .WithStrategy(RunStrategy.ColdStart)
            .WithLaunchCount(RunSettings.Quick ? 3 : 15)
            .WithWarmupCount(0)
            .WithIterationCount(1)
            .WithInvocationCount(1)
            .WithUnrollFactor(1)
            .WithId(RunSettings.Quick ? "QuickColdStart" : "ColdStart"));
    }
}

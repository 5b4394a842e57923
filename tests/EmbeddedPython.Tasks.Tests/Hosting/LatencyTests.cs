using System.Diagnostics;
using Xunit.Abstractions;

namespace EmbeddedPython.Tasks.Tests.Hosting;

/// <summary>How long a task takes from StartAsync to its first printed line (the figure of the README).</summary>
[Collection(TaskHostCollection.Name)]
public sealed class LatencyTests(TaskHostFixture fixture, ITestOutputHelper output) : TaskTestBase(fixture)
{
    [Fact]
    public async Task A_task_prints_its_first_line_within_milliseconds_of_its_start()
    {
        const int Runs = 50;
        var toReturn = new List<double>();
        var toFirstLine = new List<double>();
        for (var i = 0; i < Runs; i++)
        {
            var started = Stopwatch.GetTimestamp();
            var pid = await Tasks.StartAsync(Guide, "hello_world.py");
            toReturn.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            await foreach (var _ in Tasks.ReadOutputAsync(pid))
            {
                toFirstLine.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                break;
            }
            await Tasks.WaitAsync(pid).WaitAsync(Patience);
        }

        toReturn.Sort();
        toFirstLine.Sort();
        output.WriteLine($"StartAsync returned: median {toReturn[Runs / 2]:F2} ms, p90 {toReturn[Runs * 9 / 10]:F2} ms");
        output.WriteLine($"first line of output: median {toFirstLine[Runs / 2]:F2} ms, p90 {toFirstLine[Runs * 9 / 10]:F2} ms");
        Assert.Equal(Runs, toFirstLine.Count);
        Assert.True(toFirstLine[Runs / 2] < 100, $"median start-to-first-line {toFirstLine[Runs / 2]:F2} ms");
    }
}

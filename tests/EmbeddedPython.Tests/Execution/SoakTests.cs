using System.Globalization;
using System.Text.RegularExpressions;

namespace EmbeddedPython.Tests.Execution;

public sealed class SoakTests
{
    [Fact]
    public async Task Fifty_thousand_mixed_requests_with_errors_and_timeouts_leave_memory_flat()
    {
        var (exitCode, output) = await ChildProcess.RunAsync("soak 50000", limit: TimeSpan.FromMinutes(3));
        Assert.True(exitCode == 0, output);
        Assert.Matches(@"requests=50000 ok=49500 timeouts=50 errors=450", output);
        // Live Python objects and allocated blocks are exact and must stay flat; resident memory (measured after
        // an aggressive collection gives back the GC's free regions) must grow less than 5%.
        var objects = Regex.Match(output, @"python-objects=(\d+)->(\d+)");
        Assert.True(Math.Abs(int.Parse(objects.Groups[2].Value) - int.Parse(objects.Groups[1].Value)) < 200, output);
        var blocks = Regex.Match(output, @"python-blocks=(\d+)->(\d+)");
        Assert.True(int.Parse(blocks.Groups[2].Value) - int.Parse(blocks.Groups[1].Value) < 2000, output);
        var growth = double.Parse(Regex.Match(output, @"growth-percent=(-?[\d.]+)").Groups[1].Value, CultureInfo.InvariantCulture);
        Assert.True(growth < 5, output);
    }
}

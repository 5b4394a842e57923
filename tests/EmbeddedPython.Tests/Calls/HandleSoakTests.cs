using System.Globalization;
using System.Text.RegularExpressions;

namespace EmbeddedPython.Tests.Calls;

public sealed class HandleSoakTests
{
    [Fact]
    public async Task Fifty_thousand_calls_creating_handles_half_never_disposed_leave_memory_flat()
    {
        var (exitCode, output) = await ChildProcess.RunAsync("handle-soak 50000", limit: TimeSpan.FromMinutes(3));
        Assert.True(exitCode == 0, output);
        Assert.Contains("calls=50000 read-back=5000 ", output);
        // Dropped handles are released on the interpreter thread: live Python objects stay flat (a leak would
        // keep ~12,500 namespaces alive, ~20 MB), and resident memory grows less than 10% (the thread pool adds
        // threads, each with its stack, when the machine is loaded: 6.8% was seen on a loaded machine with every
        // Python count flat).
        var objects = Regex.Match(output, @"python-objects=(\d+)->(\d+)");
        Assert.True(Math.Abs(int.Parse(objects.Groups[2].Value) - int.Parse(objects.Groups[1].Value)) < 200, output);
        var growth = double.Parse(Regex.Match(output, @"growth-percent=(-?[\d.]+)").Groups[1].Value, CultureInfo.InvariantCulture);
        Assert.True(growth < 10, output);
    }
}

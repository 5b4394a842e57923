using System.Diagnostics;
using System.Text.Json;
using EmbeddedPython.EKuiper.Tests.FakeEKuiper;

namespace EmbeddedPython.EKuiper.Tests.Hosting;

/// <summary>The sample executable as eKuiper's portable.pythonBin: started the way eKuiper starts python (spec §1.3).</summary>
public sealed class LauncherTests
{
    private static readonly string Launcher = Path.Combine(AppContext.BaseDirectory, "EKuiperPlugin");

    [Fact]
    public async Task Started_as_pythonBin_the_plugin_serves_ekuiper_and_exits_with_1_when_ekuiper_goes_away()
    {
        using var ekuiper = new FakeEKuiper.FakeEKuiper("launched");
        var folder = Path.GetDirectoryName(PluginHostFixture.Plugin("launched"))!;
        var start = new ProcessStartInfo(Launcher) { WorkingDirectory = folder, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { "-u", PluginHostFixture.Plugin("launched"), "{\"sendTimeout\":1000}" })
            start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        try
        {
            Assert.Equal("handshake", ekuiper.WaitForHandshake(TimeSpan.FromSeconds(30)));
            using (var source = new FakeSourcePeer("rl", "where", 0))
            {
                Assert.Equal("ok", ekuiper.Start("where", "source", "rl", "where", 0, new { }));
                using var tuple = JsonDocument.Parse(source.Receive());
                var message = tuple.RootElement.GetProperty("message");
                Assert.Equal("{\"sendTimeout\":1000}", message.GetProperty("argv")[0].GetString());
                Assert.Equal(folder, message.GetProperty("cwd").GetString());
            }
            ekuiper.Dispose();
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(20));
            Assert.Equal(1, process.ExitCode);
        }
        finally
        {
            if (!process.HasExited)
                process.Kill(entireProcessTree: true);
        }
        Assert.DoesNotContain("Unhandled exception", await errors + await output);
    }
}

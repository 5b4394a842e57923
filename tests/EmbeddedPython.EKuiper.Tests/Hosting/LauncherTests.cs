using System.Diagnostics;
using System.Text.Json;
using EmbeddedPython.EKuiper.Tests.FakeEKuiper;

namespace EmbeddedPython.EKuiper.Tests.Hosting;

/// <summary>The sample executable as eKuiper's portable.pythonBin: started the way eKuiper starts python (spec §1.3).</summary>
public sealed class LauncherTests
{
    private static readonly string Launcher = Path.Combine(AppContext.BaseDirectory, "EKuiperPlugin");
    private static readonly string Script = PluginHostFixture.Plugin("launched");

    [Fact]
    public async Task Started_as_pythonBin_the_plugin_serves_ekuiper_and_exits_with_1_when_ekuiper_goes_away()
    {
        using var ekuiper = new FakeEKuiper.FakeEKuiper("launched");
        using var process = StartLikeEKuiper();
        try
        {
            Assert.Equal("handshake", ekuiper.WaitForHandshake(TimeSpan.FromSeconds(30)));
            using (var source = new FakeSourcePeer("rl", "where", 0))
            {
                Assert.Equal("ok", ekuiper.Start("where", "source", "rl", "where", 0, new { }));
                using var tuple = JsonDocument.Parse(source.Receive());
                var message = tuple.RootElement.GetProperty("message");
                Assert.Equal("{\"sendTimeout\":1000}", message.GetProperty("argv")[0].GetString());
                Assert.Equal(Path.GetDirectoryName(Script), message.GetProperty("cwd").GetString());
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
    }

    [Fact]
    public async Task After_the_plugin_process_is_killed_a_new_one_takes_the_replayed_start_and_the_source_flows_again()
    {
        // Hot update / crash (spec §1.2): eKuiper's listeners stay, a new process handshakes, start commands are replayed.
        using var ekuiper = new FakeEKuiper.FakeEKuiper("launched");
        using var source = new FakeSourcePeer("rr", "where", 0);
        for (var generation = 0; generation < 2; generation++)
        {
            using var process = StartLikeEKuiper();
            try
            {
                Assert.Equal("handshake", ekuiper.WaitForHandshake(TimeSpan.FromSeconds(30)));
                Assert.Equal("ok", ekuiper.Start("where", "source", "rr", "where", 0, new { }));
                Assert.StartsWith("{\"message\": {\"argv\": ", source.ReceiveText());
            }
            finally
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
            }
            // What the killed process had queued is gone with it; the next generation starts from a quiet channel.
            while (source.TryReceive() is not null)
            {
            }
        }
    }

    [Fact]
    public async Task The_handshake_comes_before_a_slow_plugin_script_finishes_and_commands_wait_for_it()
    {
        using var ekuiper = new FakeEKuiper.FakeEKuiper("slowstart");
        var watch = Stopwatch.StartNew();
        using var process = StartLikeEKuiper(PluginHostFixture.Plugin("slowstart"));
        try
        {
            Assert.Equal("handshake", ekuiper.WaitForHandshake(TimeSpan.FromSeconds(30)));
            var handshakeAfter = watch.Elapsed;
            using var source = new FakeSourcePeer("rs", "tick", 0);
            Assert.Equal("ok", ekuiper.Start("tick", "source", "rs", "tick", 0, new { }));
            Assert.Equal("{\"message\": {\"tick\": true}, \"meta\": null}", source.ReceiveText());
            // The script sleeps 4 s before plugin.start: the handshake came well before, the start after.
            Assert.True(watch.Elapsed - handshakeAfter > TimeSpan.FromSeconds(1.5), $"handshake at {handshakeAfter}, first tuple at {watch.Elapsed}");
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
    }

    private static Process StartLikeEKuiper(string? script = null)
    {
        script ??= Script;
        var start = new ProcessStartInfo(Launcher) { WorkingDirectory = Path.GetDirectoryName(script)!, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { "-u", script, "{\"sendTimeout\":1000}" })
            start.ArgumentList.Add(argument);
        var process = Process.Start(start)!;
        // Drain the plugin's log like eKuiper does, so a full pipe never blocks it.
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }
}

using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace EmbeddedPython.Tests.DependencyInjection;

public sealed class HostingTests
{
    [Fact]
    public async Task A_generic_host_starts_python_binds_configuration_and_reports_healthy()
    {
        var (exitCode, output) = await ChildProcess.RunAsync("host 32");
        Assert.True(exitCode == 0, output);
        Assert.Contains("health=Healthy z=42", output);
    }

    [Fact]
    public async Task Invalid_configuration_stops_the_host_at_start_with_a_message_naming_the_setting()
    {
        var (exitCode, output) = await ChildProcess.RunAsync("host 0");
        Assert.Equal(3, exitCode);
        Assert.Contains("EmbeddedPython:CodeCacheSize must be at least 1, not 0.", output);
    }

    [Fact]
    public void Options_bind_from_the_EmbeddedPython_section()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["EmbeddedPython:DefaultTimeout"] = "00:00:05",
            ["EmbeddedPython:CodeCacheSize"] = "12",
            ["EmbeddedPython:SearchPaths:0"] = "/tmp",
            ["EmbeddedPython:Interpreters"] = "3",
        }).Build();
        var services = new ServiceCollection().AddSingleton<IConfiguration>(configuration).AddPythonExecutor(o => o.QueueCapacity = 7);
        using var provider = services.BuildServiceProvider();
        var options = provider.GetRequiredService<IOptions<PythonExecutorOptions>>().Value;
        Assert.Equal(TimeSpan.FromSeconds(5), options.DefaultTimeout);
        Assert.Equal(12, options.CodeCacheSize);
        Assert.Equal(["/tmp"], options.SearchPaths);
        Assert.Equal(7, options.QueueCapacity);
        Assert.Equal(3, options.Interpreters);
    }

    [Fact]
    public void Interpreters_below_one_fail_validation_naming_the_setting()
    {
        var error = Assert.Throws<ArgumentException>(() => new PythonExecutor(new PythonExecutorOptions { Interpreters = 0 }));
        Assert.Contains("EmbeddedPython:Interpreters must be between 1 and 64, not 0.", error.Message);
    }

    [Fact]
    public async Task Disposing_under_load_fails_pending_callers_promptly_and_the_explicit_shutdown_finalises_within_the_bound()
    {
        var (exitCode, output) = await ChildProcess.RunAsync("dispose-under-load");
        Assert.True(exitCode == 0, output);
        Assert.DoesNotContain("hang=", output);
        Assert.DoesNotContain("ok=", output);
        Assert.Contains("after-dispose=ObjectDisposedException", output);
        var disposeMs = int.Parse(System.Text.RegularExpressions.Regex.Match(output, @"dispose-ms=(\d+)").Groups[1].Value);
        Assert.True(disposeMs < 5000, output);
        Assert.Contains("again-x=5", output); // the interpreter outlived its last executor
        var shutdownMs = int.Parse(System.Text.RegularExpressions.Regex.Match(output, @"shutdown-ms=(\d+)").Groups[1].Value);
        Assert.True(shutdownMs < 5000, output); // finalised within the bound
        Assert.Contains("after-shutdown=Python was shut down in this process (PythonExecutor.ShutdownPythonAsync), and CPython cannot be initialised again.", output);
    }

    [Fact]
    public async Task A_process_that_never_disposes_the_executor_still_exits()
    {
        var (exitCode, output) = await ChildProcess.RunAsync("exit-without-dispose", limit: TimeSpan.FromSeconds(30));
        Assert.Equal(0, exitCode);
        Assert.Contains("ran x=1", output);
    }
}

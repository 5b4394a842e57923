namespace EmbeddedPython.Autokitteh.Tests;

public sealed class RunnerCommandLineTests
{
    [Fact]
    public void Without_arguments_the_defaults_of_autokitteh_apply()
    {
        var line = RunnerCommandLine.Parse([]);

        Assert.Null(line.Error);
        Assert.Equal((9293, "localhost:9292", "runner-1", "/workflow", TimeSpan.FromSeconds(10), false),
            (line.Port, line.Options.WorkerAddress, line.Options.RunnerId, line.Options.CodeDirectory, line.Options.StartTimeout, line.Options.SkipCheckWorker));
    }

    [Fact]
    public void Every_flag_is_read()
    {
        var directory = Path.GetTempPath();

        var line = RunnerCommandLine.Parse(["--worker-address", "127.0.0.1:9980", "--port", "0", "--runner-id", "runner_01", "--code-dir", directory,
            "--start-timeout", "2.5", "--skip-check-worker", "--enable-large-objects", "--large-objects-path", "/tmp"]);

        Assert.Null(line.Error);
        Assert.Equal((0, "127.0.0.1:9980", "runner_01", Path.GetFullPath(directory), TimeSpan.FromSeconds(2.5), true),
            (line.Port, line.Options.WorkerAddress, line.Options.RunnerId, line.Options.CodeDirectory, line.Options.StartTimeout, line.Options.SkipCheckWorker));
    }

    [Fact]
    public void Help_is_asked_with_h()
    {
        Assert.True(RunnerCommandLine.Parse(["-h"]).ShowHelp);
    }

    [Theory]
    [InlineData("--worker-address", "nohost", "--worker-address")]
    [InlineData("--worker-address", ":80", "no host")]
    [InlineData("--port", "70000", "--port")]
    [InlineData("--runner-id", "", "--runner-id")]
    [InlineData("--code-dir", "/no/such/dir", "not a directory")]
    [InlineData("--start-timeout", "0", "--start-timeout")]
    [InlineData("--bogus", "1", "not a known argument")]
    public void Bad_values_are_refused_with_an_error_naming_the_flag(string flag, string value, string expected)
    {
        var line = RunnerCommandLine.Parse([flag, value]);

        Assert.StartsWith("error: ", line.Error, StringComparison.Ordinal);
        Assert.Contains(expected, line.Error, StringComparison.Ordinal);
    }
}

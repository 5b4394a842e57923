namespace EmbeddedPython.Tests.Execution;

[Collection(PythonCollection.Name)]
public sealed class IsolationTests(PythonFixture fixture)
{
    private readonly IPythonExecutor _python = fixture.Executor;

    [Theory]
    [InlineData("import sys\nsys.exit(3)", "SystemExit")]
    [InlineData("raise SystemExit('bye')", "SystemExit")]
    [InlineData("raise KeyboardInterrupt", "KeyboardInterrupt")]
    public async Task Exiting_or_interrupting_fails_only_that_request(string code, string type)
    {
        var error = await Assert.ThrowsAsync<PythonException>(() => _python.ExecuteAsync(code));
        Assert.Equal(type, error.PythonType);
        await AssertHealthy();
    }

    [Theory]
    [InlineData("import sys\ndone = 1\nsys.exit()\nnever = 1")]
    [InlineData("import sys\ndone = 1\nsys.exit(0)\nnever = 1")]
    public async Task A_successful_sys_exit_ends_the_request_early_with_its_values(string code)
    {
        var result = await _python.ExecuteAsync(code);
        Assert.Equal(1L, result.Values["done"]);
        Assert.False(result.Values.ContainsKey("never"));
    }

    [Fact]
    public async Task Changing_the_working_directory_is_undone()
    {
        var before = Environment.CurrentDirectory;
        await _python.ExecuteAsync("import os\nos.chdir('/tmp')");
        Assert.Equal(before, Environment.CurrentDirectory);
        var seen = await _python.ExecuteAsync("import os\ncwd = os.getcwd()");
        Assert.Equal(before, seen.Values["cwd"]);
    }

    [Fact]
    public async Task Replacing_stdout_and_stderr_is_undone()
    {
        await _python.ExecuteAsync("import sys, io\nsys.stdout = io.StringIO()\nsys.stderr = None");
        var result = await _python.ExecuteAsync("import sys\nprint('visible')\nprint('also', file=sys.stderr)");
        Assert.Equal("visible\nalso\n", result.Output);
    }

    [Fact]
    public async Task Deleting_builtins_is_undone()
    {
        await _python.ExecuteAsync("import builtins\ndel builtins.len\ndel builtins.print");
        var result = await _python.ExecuteAsync("n = len([1, 2])\nprint(n)");
        Assert.Equal(2L, result.Values["n"]);
        Assert.Equal("2\n", result.Output);
    }

    [Fact]
    public async Task Tasks_left_behind_do_not_break_later_requests()
    {
        await _python.ExecuteAsync("import asyncio\nasync def forever():\n    while True:\n        await asyncio.sleep(0.01)\nasyncio.get_event_loop().create_task(forever())");
        var results = await Task.WhenAll(Enumerable.Range(0, 50).Select(i => _python.ExecuteAsync($"v = {i}")));
        Assert.Equal(Enumerable.Range(0, 50).Select(i => (object?)(long)i), results.Select(r => r.Values["v"]));
    }

    private async Task AssertHealthy()
    {
        var result = await _python.ExecuteAsync("import math\nv = math.floor(2.5)");
        Assert.Equal(2L, result.Values["v"]);
    }
}

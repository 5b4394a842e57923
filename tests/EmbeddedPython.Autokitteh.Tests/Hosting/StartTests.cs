using Autokitteh.UserCode.V1;
using Google.Protobuf;
using Grpc.Core;

namespace EmbeddedPython.Autokitteh.Tests.Hosting;

[Collection(PythonCollection.Name)]
public sealed class StartTests(SharedPython python) : IDisposable
{
    private readonly CodeDirectory _code = new();

    public void Dispose() => _code.Dispose();

    [Fact]
    public void An_entry_point_names_the_module_and_the_function()
    {
        var entry = EntryPointName.Parse("review.py:on_github_pull_request", out var error);

        Assert.Null(error);
        Assert.Equal(new EntryPointName("review.py", "review", "on_github_pull_request"), entry);
    }

    [Theory]
    [InlineData("program.py")]
    [InlineData("program:on_event")]
    [InlineData(".py:on_event")]
    [InlineData("program.py:")]
    public async Task A_malformed_entry_point_is_INVALID_ARGUMENT_and_the_runner_stops(string entryPoint)
    {
        _code.With("program.py", Fixtures.Program);
        await using var runner = await RunnerUnderTest.StartAsync(python.Executor, _code.Path);

        var error = await Assert.ThrowsAsync<RpcException>(() => runner.Client.StartAsync(new StartRequest { EntryPoint = entryPoint }).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains(entryPoint, error.Status.Detail, StringComparison.Ordinal);
        await runner.Server.Stopping.WaitAsync(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task An_unknown_function_is_INVALID_ARGUMENT_function_not_found()
    {
        _code.With("program.py", Fixtures.Program);
        await using var runner = await RunnerUnderTest.StartAsync(python.Executor, _code.Path);

        var error = await Assert.ThrowsAsync<RpcException>(() => runner.Client.StartAsync(new StartRequest { EntryPoint = "program.py:nope" }).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Equal("function 'nope' not found", error.Status.Detail);
    }

    [Fact]
    public async Task A_module_with_a_syntax_error_cannot_load()
    {
        _code.With("program.py", "def on_event(event:\n    pass\n");
        await using var runner = await RunnerUnderTest.StartAsync(python.Executor, _code.Path);

        var error = await Assert.ThrowsAsync<RpcException>(() => runner.Client.StartAsync(new StartRequest { EntryPoint = "program.py:on_event" }).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.StartsWith($"can't load program from {_code.Path} - error: SyntaxError(", error.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_module_cannot_load_and_the_text_says_to_add_a_package()
    {
        _code.With("program.py", "import package_that_is_not_installed\n\ndef on_event(event):\n    pass\n");
        await using var runner = await RunnerUnderTest.StartAsync(python.Executor, _code.Path);

        var error = await Assert.ThrowsAsync<RpcException>(() => runner.Client.StartAsync(new StartRequest { EntryPoint = "program.py:on_event" }).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains("you need to add a package", error.Status.Detail, StringComparison.Ordinal);
        Assert.Contains("ModuleNotFoundError", error.Status.Detail, StringComparison.Ordinal);
        Assert.Contains($"can't load program from {_code.Path} - ", error.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_second_Start_answers_start_already_called()
    {
        _code.With("program.py", Fixtures.Program);
        await using var runner = await RunnerUnderTest.StartAsync(python.Executor, _code.Path, o => o.StopAfterDone = false);

        await runner.RunAsync("program.py:on_event", Fixtures.Event);
        var second = await runner.Client.StartAsync(new StartRequest { EntryPoint = "program.py:on_event" });

        Assert.Equal("start already called", second.Error);
        Assert.Equal(1, runner.Worker.DoneCount);
    }

    [Fact]
    public async Task Start_with_an_http_event_answers_at_once_without_error()
    {
        _code.With("program.py", "def on_event(event):\n    return event.data.body.path\n");
        await using var runner = await RunnerUnderTest.StartAsync(python.Executor, _code.Path);

        var started = await runner.Client.StartAsync(new StartRequest
        {
            EntryPoint = "program.py:on_event",
            Event = new Event { Data = ByteString.CopyFromUtf8("""{"data": {"body": {"path": "/info", "method": "GET"}}, "session_id": "ses_meow"}""") },
        });
        var done = await runner.Worker.Finished.WaitAsync(TimeSpan.FromSeconds(20));

        Assert.Equal("", started.Error);
        Assert.Equal("", done.Error);
        Assert.Equal("/info", done.Result.Custom.Value.String.V);
    }
}

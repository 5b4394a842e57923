using Autokitteh.UserCode.V1;
using Grpc.Core;

namespace EmbeddedPython.Autokitteh.Tests.Hosting;

[Collection(PythonCollection.Name)]
public sealed class ExportsTests(SharedPython python) : IAsyncLifetime
{
    private readonly CodeDirectory _code = new();
    private RunnerUnderTest _runner = null!;

    public async Task InitializeAsync() =>
        _runner = await RunnerUnderTest.StartAsync(python.Executor, _code.Path);

    public async Task DisposeAsync()
    {
        await _runner.DisposeAsync();
        _code.Dispose();
    }

    private async Task<List<Export>> ExportsOf(string file, string source)
    {
        _code.With(file, source);
        var response = await _runner.Client.ExportsAsync(new ExportsRequest { FileName = file });
        return response.Exports.ToList();
    }

    [Fact]
    public async Task A_file_whose_only_callable_is_on_event_exports_exactly_that()
    {
        var exports = await ExportsOf("program.py", """
            import os

            GREETING = os.environ.get("GREETING", "hi")


            def on_event(event):
                print(GREETING, event)
            """);

        var export = Assert.Single(exports);
        Assert.Equal(new Export { File = "program.py", Line = 6, Name = "on_event", Args = { "event" } }, export);
    }

    [Fact]
    public async Task A_class_exports_the_arguments_of_its_own_init_without_self()
    {
        var exports = await ExportsOf("player.py", """
            class Player:
                def move(self, dx, dy):
                    self.x += dx

                def __init__(self, x, y):
                    self.x, self.y = x, y
            """);

        Assert.Equal(["x", "y"], Assert.Single(exports).Args);
    }

    [Fact]
    public async Task Function_arguments_list_plain_parameters_then_the_kwargs_name()
    {
        var exports = await ExportsOf("funcs.py", """
            def fn():
                pass

            def inc(n):
                return n + 1

            def add(a, b, **kw):
                return a + b
            """);

        Assert.Equal([[], ["n"], ["a", "b", "kw"]], exports.Select(e => e.Args.ToArray()));
    }

    [Fact]
    public async Task The_observed_fixture_exports_its_defs_and_classes_at_their_lines()
    {
        var exports = await ExportsOf("program.py", Fixtures.Program);

        Assert.Equal(
            [("on_event", 4u, "event"), ("with_session", 10u, "event,session_id"), ("body", 15u, "event"),
             ("on_async", 19u, "event"), ("Greeter", 23u, "name,greeting,kw"), ("add", 28u, "c,kw")],
            exports.Select(e => (e.Name, e.Line, string.Join(",", e.Args))));
        Assert.All(exports, e => Assert.Equal("program.py", e.File));
    }

    [Fact]
    public async Task Exports_without_a_file_name_is_INVALID_ARGUMENT_missing_file_name()
    {
        var error = await Assert.ThrowsAsync<RpcException>(() => _runner.Client.ExportsAsync(new ExportsRequest()).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Equal("missing file name", error.Status.Detail);
    }

    [Fact]
    public async Task Exports_of_a_missing_file_is_INVALID_ARGUMENT_with_the_OS_error()
    {
        var error = await Assert.ThrowsAsync<RpcException>(() => _runner.Client.ExportsAsync(new ExportsRequest { FileName = "nope.py" }).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains("No such file or directory", error.Status.Detail);
    }

    [Theory]
    [InlineData("../outside.py")]
    [InlineData("/etc/hostname")]
    public async Task Exports_of_a_file_outside_the_code_directory_is_refused(string fileName)
    {
        var error = await Assert.ThrowsAsync<RpcException>(() => _runner.Client.ExportsAsync(new ExportsRequest { FileName = fileName }).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains("outside the code directory", error.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Exports_of_a_file_with_a_syntax_error_is_INVALID_ARGUMENT_and_the_runner_keeps_serving()
    {
        _code.With("broken.py", "def broken(:\n    pass\n");

        var error = await Assert.ThrowsAsync<RpcException>(() => _runner.Client.ExportsAsync(new ExportsRequest { FileName = "broken.py" }).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains("SyntaxError", error.Status.Detail);
        Assert.Equal("", (await _runner.Client.HealthAsync(new RunnerHealthRequest())).Error);
    }

    [Fact]
    public void The_build_archive_holds_the_project_files_without_hidden_names_and_pycache()
    {
        _code.With("autokitteh.yaml", "version: v1\n").With("program.py", "def on_event(event):\n    pass\n").With(".gitignore", "*.pyc\n").With("__pycache__/program.pyc", "x");

        using var tar = new MemoryStream();
        ProjectArchive.Write(_code.Path, tar);
        tar.Position = 0;
        using var reader = new System.Formats.Tar.TarReader(tar);
        var names = new List<string>();
        while (reader.GetNextEntry() is { } entry)
            names.Add(entry.Name);

        Assert.Equal(["autokitteh.yaml", "program.py"], names);
    }
}

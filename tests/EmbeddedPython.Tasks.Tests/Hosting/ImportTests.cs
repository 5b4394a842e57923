using System.Diagnostics;

namespace EmbeddedPython.Tasks.Tests.Hosting;

/// <summary>Imports of an application behave as in plain Python run from the application folder: namespace
/// packages (the guide's <c>from package.module2 import module2_print</c>), relative imports, importlib,
/// reload, and the module attributes, compared with a real <c>python</c> process on the same files.</summary>
[Collection(TaskHostCollection.Name)]
public sealed class ImportTests(TaskHostFixture fixture) : TaskTestBase(fixture)
{
    private static string Imports => TaskHostFixture.Application("imports");

    [Fact]
    public async Task The_guide_example_imports_from_a_folder_without_init()
    {
        var (info, lines) = await RunAsync(Imports, "report.py");

        Assert.True(info.State == PythonTaskState.Closed, $"{info.State}: {info.Reason}\n{string.Join("\n", lines)}");
        Assert.Equal("module2_print from a folder without __init__.py", lines[0]);
    }

    [Fact]
    public async Task Imports_and_module_attributes_are_those_of_plain_python_run_from_the_application_folder()
    {
        var (_, interpreter) = await RunAsync(Imports, "interpreter.py");
        var (info, lines) = await RunAsync(Imports, "report.py");

        var plain = await RunPlainPythonAsync(Assert.Single(interpreter), Imports, "report.py");
        Assert.True(info.State == PythonTaskState.Closed, $"{info.State}: {info.Reason}\n{string.Join("\n", lines)}");
        Assert.Equal(plain, lines);
    }

    [Fact]
    public async Task Two_tasks_of_one_application_each_load_its_modules_afresh()
    {
        var first = await Tasks.StartAsync(Imports, "report.py");
        var second = await Tasks.StartAsync(Imports, "report.py");
        await Task.WhenAll(Tasks.WaitAsync(first), Tasks.WaitAsync(second)).WaitAsync(Patience);

        // counter.py counts its loads in its own globals: 1 at import, 2 after one reload, in each task.
        foreach (var pid in new[] { first, second })
            Assert.Equal(["1,", "2,", "true,", "true"], Section(await LinesAsync(pid), "\"reload\""));
    }

    private static List<string> Section(List<string> lines, string key)
    {
        var start = lines.FindIndex(l => l.Trim().StartsWith(key, StringComparison.Ordinal));
        return [.. lines.Skip(start + 1).TakeWhile(l => !l.Trim().StartsWith(']')).Select(l => l.Trim())];
    }

    private static async Task<List<string>> RunPlainPythonAsync(string python, string folder, string script)
    {
        var start = new ProcessStartInfo(python) { WorkingDirectory = folder, RedirectStandardOutput = true, RedirectStandardError = true };
        // -B: no bytecode cache written into the application folder (tasks write none either).
        start.ArgumentList.Add("-B");
        start.ArgumentList.Add(script);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(Patience);
        Assert.True(process.ExitCode == 0, await errors);
        return [.. (await output).Split('\n', StringSplitOptions.RemoveEmptyEntries)];
    }
}

using System.Text.Json;

namespace EmbeddedPython.Tasks.Tests.Hosting;

/// <summary>The guide's examples, run unchanged as tasks.</summary>
[Collection(TaskHostCollection.Name)]
public sealed class GuideExampleTests(TaskHostFixture fixture) : TaskTestBase(fixture)
{
    [Fact]
    public async Task Hello_world_prints_its_line_and_closes()
    {
        var (info, lines) = await RunAsync(Guide, "hello_world.py");

        Assert.Equal(PythonTaskState.Closed, info.State);
        Assert.Equal("closed", info.StateName);
        Assert.Equal(["Hello world!"], lines);
        Assert.NotNull(info.EndedAt);
    }

    [Fact]
    public async Task Task_params_hold_pid_paths_and_parameters_merged_over_the_application_globals()
    {
        var (info, lines) = await RunAsync(Guide, "test_task_params.py", new Dictionary<string, object?> { ["factorial"] = 7, ["mine"] = "x" });

        Assert.Equal(PythonTaskState.Closed, info.State);
        var parameters = JsonDocument.Parse(Assert.Single(lines)).RootElement;
        Assert.Equal(info.Pid.ToString(), parameters.GetProperty("pid").GetString());
        Assert.Equal(JsonValueKind.Null, parameters.GetProperty("parentPid").ValueKind);
        Assert.Equal(info.ApplicationPath, parameters.GetProperty("applicationPath").GetString());
        Assert.Equal("test_task_params.py", parameters.GetProperty("scriptPath").GetString());
        Assert.Equal(info.OutputPath, parameters.GetProperty("outputPath").GetString());
        var scriptParams = parameters.GetProperty("scriptParams");
        Assert.Equal(7, scriptParams.GetProperty("factorial").GetInt32()); // the task's own win
        Assert.Equal("hello", scriptParams.GetProperty("greeting").GetString()); // the application's global
        Assert.Equal("x", scriptParams.GetProperty("mine").GetString());
        Assert.Equal(["applicationPath", "outputPath", "parentPid", "pid", "scriptParams", "scriptPath"],
            parameters.EnumerateObject().Select(p => p.Name).Order());
        Assert.Equal("written by " + info.Pid, File.ReadAllText(Path.Combine(info.OutputPath, "result.txt")));
    }

    [Fact]
    public async Task Every_task_gets_a_fresh_work_folder_named_by_its_pid()
    {
        var (first, _) = await RunAsync(Guide, "hello_world.py");
        var (second, _) = await RunAsync(Guide, "hello_world.py");

        Assert.NotEqual(first.OutputPath, second.OutputPath);
        Assert.Equal(first.Pid.ToString(), Path.GetFileName(first.OutputPath));
        Assert.True(Directory.Exists(second.OutputPath));
    }

    [Fact]
    public async Task Local_modules_and_packages_import_from_the_application_folder()
    {
        var (info, lines) = await RunAsync(Guide, "test_local_imports.py");

        Assert.Equal(PythonTaskState.Closed, info.State);
        Assert.Equal(["module1 imported", "function1 from the guide application", "function2 uses helper", "True"], lines);
    }

    [Fact]
    public async Task Two_applications_with_a_module1_each_see_their_own()
    {
        var guide = await Tasks.StartAsync(Guide, "test_local_imports.py");
        var other = await Tasks.StartAsync(TaskHostFixture.Application("other"), "main.py");
        await Task.WhenAll(Tasks.WaitAsync(guide), Tasks.WaitAsync(other)).WaitAsync(Patience);

        Assert.Contains("function1 from the guide application", await LinesAsync(guide));
        Assert.Equal(["function1 from the other application"], await LinesAsync(other));
    }

    [Fact]
    public async Task Py3_scripts_run_and_py3_modules_import()
    {
        var (info, lines) = await RunAsync(TaskHostFixture.Application("other"), "tool.py3", new Dictionary<string, object?> { ["length"] = 12 });

        Assert.Equal(PythonTaskState.Closed, info.State);
        Assert.Equal(["12 cm from a .py3 module"], lines);
    }

    [Fact]
    public async Task Module_level_code_of_a_local_module_runs_once_per_task()
    {
        var (_, first) = await RunAsync(Guide, "test_local_imports.py");
        var (_, second) = await RunAsync(Guide, "test_local_imports.py");

        Assert.Equal("module1 imported", first[0]);
        Assert.Equal("module1 imported", second[0]);
    }

    [Fact]
    public async Task Child_task_gets_its_parameters_and_its_parent_pid()
    {
        var (parent, lines) = await RunAsync(Guide, "test_parent.py");
        var childPid = ChildOf(parent.Pid);
        var child = await Tasks.WaitAsync(childPid).WaitAsync(Patience);

        Assert.Equal([$"parent {parent.Pid} started child {childPid}"], lines);
        Assert.Equal(PythonTaskState.Closed, child.State);
        Assert.Equal(parent.Pid, child.ParentPid);
        Assert.Equal([$"child of {parent.Pid}: 5! = 120"], await LinesAsync(childPid));
    }

    [Fact]
    public async Task A_child_outlives_its_parent()
    {
        var (parent, _) = await RunAsync(Guide, "short_parent.py");
        var childPid = ChildOf(parent.Pid);

        Assert.Equal(PythonTaskState.Closed, parent.State);
        Assert.Equal(PythonTaskState.Running, Tasks.Get(childPid)!.State);
        var child = await Tasks.WaitAsync(childPid).WaitAsync(Patience);
        Assert.Equal(PythonTaskState.Closed, child.State);
        Assert.True(child.EndedAt > parent.EndedAt);
        Assert.Equal([$"child still here after its parent, parent was {parent.Pid}"], await LinesAsync(childPid));
    }

    [Fact]
    public async Task Factorial_exchange_over_the_websocket_reaches_the_parent()
    {
        var (parent, lines) = await RunAsync(Guide, "test_data_exchange_parent.py");
        var childPid = ChildOf(parent.Pid);
        var child = await Tasks.WaitAsync(childPid).WaitAsync(Patience);

        Assert.Equal(PythonTaskState.Closed, parent.State);
        Assert.Equal([$"Factorial from child {childPid}: 120"], lines);
        Assert.Equal(PythonTaskState.Closed, child.State);
        Assert.Equal(["child sent 5! over the websocket"], await LinesAsync(childPid));
    }

    [Fact]
    public async Task Factorial_exchange_in_process_reaches_the_parent_and_back()
    {
        var (parent, lines) = await RunAsync(Guide, "test_in_process_exchange_parent.py");
        var childPid = ChildOf(parent.Pid);
        await Tasks.WaitAsync(childPid).WaitAsync(Patience);

        Assert.Equal(["Factorial from child: 720"], lines);
        Assert.Equal(["parent replied thanks"], await LinesAsync(childPid));
    }

    [Fact]
    public async Task Observer_message_posted_from_dotnet_reaches_the_task()
    {
        var pid = await Tasks.StartAsync(Guide, "test_observer.py");

        Assert.True(await Tasks.PostAsync(pid, new Dictionary<string, object?> { ["say"] = "hi", ["times"] = 3 }));
        var info = await Tasks.WaitAsync(pid).WaitAsync(Patience);
        Assert.Equal(PythonTaskState.Closed, info.State);
        Assert.Equal(["observer said hi x 3"], await LinesAsync(pid));
        Assert.False(await Tasks.PostAsync(pid, "too late"));
    }
}

using BenchmarkDotNet.Attributes;
using EmbeddedPython.Benchmarks.Baselines;
using EmbeddedPython.Benchmarks.Setup;
using EmbeddedPython.Tasks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace EmbeddedPython.Benchmarks.Scenarios;

/// <summary>
/// Application tasks: one task from start to its end with its output read, a process per task (the original's
/// model, <see cref="ProcessPerTask"/>) against the task host's Python thread per task, in the same run.
/// </summary>
[Config(typeof(SteadyStateConfig))]
public class TasksBenchmarks
{
    private static readonly Dictionary<string, object?> Parameters = new() { ["n"] = 1 };
    private readonly string _application = Path.Combine(AppContext.BaseDirectory, "Tasks");
    private IHost _host = null!;
    private IPythonTaskHost _tasks = null!;

    [GlobalSetup]
    public void Setup()
    {
        _ = PythonCommand.Executable;
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders(); // a console line per task start and end would be measured too
        builder.Services.AddPythonTasks(o =>
        {
            o.WebSocketPort = 0;
            o.MaxEndedTasks = 16;
            o.WorkDirectory = Path.Combine(Path.GetTempPath(), "embeddedpython-benchmark-tasks");
        });
        _host = builder.Build();
        _host.StartAsync().GetAwaiter().GetResult();
        _tasks = _host.Services.GetRequiredService<IPythonTaskHost>();
        Workloads.Expect(Task_host_start_to_end().GetAwaiter().GetResult(), "Hello world!", "the task host");
        Workloads.Expect(Process_per_task_start_to_end().GetAwaiter().GetResult(), "Hello world!", "a process per task");
    }

    [Benchmark(Baseline = true, Description = "Process per task: python3 hello_world.py to exit, output read")]
    public async Task<object?> Process_per_task_start_to_end() => (await ProcessPerTask.RunAsync(_application, "hello_world.py", Parameters)).Single();

    [Benchmark(Description = "Task host: StartAsync hello_world.py to its end, output read")]
    public async Task<object?> Task_host_start_to_end()
    {
        var pid = await _tasks.StartAsync(_application, "hello_world.py", Parameters);
        await _tasks.WaitAsync(pid);
        string? text = null;
        await foreach (var line in _tasks.ReadOutputAsync(pid))
            text = line.Text;
        return text;
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _host.StopAsync().GetAwaiter().GetResult();
        _host.Dispose();
    }
}

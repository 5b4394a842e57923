// ApplicationTasks <application folder> <script> [parameters JSON]
//
// Starts the script as a task, prints every task's output as it comes (children included, each line tagged
// with its task) and exits when all tasks have ended; the exit code is 0 when every task closed normally.
using System.Text.Json;
using EmbeddedPython.Tasks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

if (args.Length is < 2 or > 3)
{
    Console.Error.WriteLine("usage: ApplicationTasks <application folder> <script> [parameters JSON]");
    return 2;
}
Dictionary<string, JsonElement>? parameters = null;
if (args.Length == 3)
{
    try
    {
        parameters = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(args[2]);
    }
    catch (JsonException error)
    {
        Console.Error.WriteLine($"parameters must be a JSON object: {error.Message}");
        return 2;
    }
}

var builder = Host.CreateApplicationBuilder();
builder.Logging.SetMinimumLevel(LogLevel.Warning); // the tasks' own output is what this console shows
builder.Services.AddPythonTasks();
using var host = builder.Build();
await host.StartAsync();
var tasks = host.Services.GetRequiredService<IPythonTaskHost>();

using var stop = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    stop.Cancel();
};
var events = tasks.WatchAsync(stop.Token);
Guid first;
try
{
    first = await tasks.StartAsync(args[0], args[1], parameters?.ToDictionary(p => p.Key, p => (object?)p.Value));
}
catch (ArgumentException error)
{
    Console.Error.WriteLine(error.Message);
    await host.StopAsync();
    return 1;
}
Console.WriteLine($"started {args[1]} as task {first}; peers reach it at {tasks.WebSocketUri(first)}");

// Counted from the events themselves: a task's state may change before its last lines are printed here.
var running = new HashSet<Guid> { first };
var allClosed = true;
try
{
    await foreach (var item in events)
    {
        var tag = $"[{item.Task.Pid.ToString()[..8]} {item.Task.ScriptPath}]";
        switch (item.Kind)
        {
            case PythonTaskEventKind.Started:
                running.Add(item.Task.Pid);
                Console.WriteLine($"{tag} started{(item.Task.ParentPid is { } parent ? $" by {parent.ToString()[..8]}" : "")}");
                break;
            case PythonTaskEventKind.Output:
                (item.Line!.Stream == "stderr" ? Console.Error : Console.Out).WriteLine($"{tag} {item.Line.Text}");
                break;
            case PythonTaskEventKind.Ended:
                running.Remove(item.Task.Pid);
                allClosed &= item.Task.State == PythonTaskState.Closed;
                Console.WriteLine($"{tag} {item.Task.StateName}{(item.Task.Reason is { } reason ? ": " + reason : "")}");
                break;
        }
        if (running.Count == 0)
            break;
    }
}
catch (OperationCanceledException)
{
    allClosed = false; // Ctrl+C: stopping the host stops the tasks still running
}
await host.StopAsync();
return allClosed ? 0 : 1;

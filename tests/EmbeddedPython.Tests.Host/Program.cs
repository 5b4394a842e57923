using System.Diagnostics;
using EmbeddedPython;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;

// Scenarios run by EmbeddedPython.Tests in a process of their own; each prints what the test asserts on.
switch (args.FirstOrDefault())
{
    case "smoke":
    {
        await using var python = new PythonExecutor(new PythonExecutorOptions());
        var result = await python.ExecuteAsync(new PythonRequest
        {
            Code = "import sys, math, asyncio\nversion = '%d.%d' % sys.version_info[:2]\ny = x * 2\nroot = math.sqrt(16)\nawait asyncio.sleep(0)",
            PresetValues = new Dictionary<string, object?> { ["x"] = 21 },
        });
        Console.WriteLine($"version={result.Values["version"]} y={result.Values["y"]} root={result.Values["root"]}");
        var timedOut = false;
        var watch = Stopwatch.StartNew();
        try { await python.ExecuteAsync(new PythonRequest { Code = "import time\ntime.sleep(30)", Timeout = TimeSpan.FromMilliseconds(200) }); }
        catch (PythonTimeoutException) { timedOut = true; }
        var after = await python.ExecuteAsync(new PythonRequest { Code = "ok = 1", LimitReturnTo = ["ok"] });
        Console.WriteLine($"sleep-interrupted={timedOut} within={watch.ElapsedMilliseconds < 2000} next={after.Values["ok"]}");
        return 0;
    }
    case "host":
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["EmbeddedPython:CodeCacheSize"] = args[1] });
        builder.Services.AddPythonExecutor();
        builder.Services.AddHealthChecks().AddPythonExecutor();
        using var host = builder.Build();
        try
        {
            await host.StartAsync();
        }
        catch (Exception e)
        {
            Console.WriteLine($"start-failed: {e.Message}");
            return 3;
        }
        var report = await host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync();
        var python = host.Services.GetRequiredService<IPythonExecutor>();
        var result = await python.ExecuteAsync("z = 6 * 7");
        Console.WriteLine($"health={report.Status} z={result.Values["z"]}");
        await host.StopAsync();
        return 0;
    }
    case "dispose-under-load":
    {
        var python = new PythonExecutor(new PythonExecutorOptions());
        await python.ExecuteAsync("warm = 1");
        var pending = Enumerable.Range(0, 200).Select(i => python.ExecuteAsync(new PythonRequest
        {
            Code = i % 10 == 0 ? "import time\ntime.sleep(5)" : "x = 1",
            Timeout = Timeout.InfiniteTimeSpan,
        })).ToList();
        var stream = python.StreamAsync(new PythonRequest { Code = "import asyncio\nawait asyncio.sleep(60)" }).GetAsyncEnumerator();
        var streamNext = stream.MoveNextAsync().AsTask();
        var watch = Stopwatch.StartNew();
        await python.DisposeAsync();
        var disposeMs = watch.ElapsedMilliseconds;
        var outcomes = new Dictionary<string, int>();
        foreach (var task in pending.Append<Task>(streamNext))
        {
            string kind;
            try { await task.WaitAsync(TimeSpan.FromSeconds(10)); kind = "ok"; }
            catch (TimeoutException) { kind = "hang"; }
            catch (Exception e) { kind = e.GetType().Name; }
            outcomes[kind] = outcomes.GetValueOrDefault(kind) + 1;
        }
        Console.WriteLine($"dispose-ms={disposeMs} " + string.Join(" ", outcomes.OrderBy(p => p.Key).Select(p => $"{p.Key}={p.Value}")));
        try { await python.ExecuteAsync("x = 1"); }
        catch (ObjectDisposedException) { Console.WriteLine("after-dispose=ObjectDisposedException"); }
        return 0;
    }
    case "venv":
    {
        await using var python = new PythonExecutor(new PythonExecutorOptions { VirtualEnvironment = args[1] });
        var result = await python.ExecuteAsync("import venv_only_module\nmark = venv_only_module.MARK");
        Console.WriteLine($"mark={result.Values["mark"]}");
        return 0;
    }
    case "exit-without-dispose":
    {
        var python = new PythonExecutor(new PythonExecutorOptions());
        var result = await python.ExecuteAsync("import threading\nthreading.Thread(target=lambda: __import__('time').sleep(600)).start()\nx = 1");
        Console.WriteLine($"ran x={result.Values["x"]}");
        return 0; // returns from Main without disposing: the process must still exit
    }
    default:
        Console.Error.WriteLine("usage: EmbeddedPython.Tests.Host smoke|host <cacheSize>|venv <folder>|dispose-under-load|exit-without-dispose");
        return 2;
}

using System.Diagnostics;
using System.Diagnostics.Metrics;
using EmbeddedPython.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace EmbeddedPython.Tests.Execution;

[Collection(PythonCollection.Name)]
public sealed class InterpreterThreadTests(PythonFixture fixture)
{
    private readonly IPythonExecutor _python = fixture.Executor;

    [Fact]
    public async Task Caller_continuations_never_run_on_the_interpreter_thread()
    {
        for (var i = 0; i < 50; i++)
        {
            await _python.ExecuteAsync("x = 1");
            Assert.NotEqual("EmbeddedPython interpreter", Thread.CurrentThread.Name);
        }
    }

    [Fact]
    public async Task The_gil_is_released_while_idle_so_python_threads_run_between_requests()
    {
        await _python.ExecuteAsync("import threading, time, builtins\nbuiltins._idle_ticks = 0\ndef count():\n    for _ in range(20):\n        builtins._idle_ticks += 1\n        time.sleep(0.01)\nthreading.Thread(target=count).start()");
        await Task.Delay(500); // no request runs: only the idle interpreter can let the thread go on
        var result = await _python.ExecuteAsync("import builtins\nticks = builtins._idle_ticks");
        Assert.Equal(20L, result.Values["ticks"]);
    }

    [Fact]
    public async Task Requests_are_served_in_order()
    {
        var tasks = Enumerable.Range(0, 200).Select(i => _python.ExecuteAsync(new PythonRequest
        {
            Name = "order",
            Code = "import builtins\nbuiltins._order = getattr(builtins, '_order', []) + [i]",
            PresetValues = new Dictionary<string, object?> { ["i"] = i },
        })).ToArray();
        await Task.WhenAll(tasks);
        var result = await _python.ExecuteAsync("import builtins\norder = builtins._order\ndel builtins._order");
        Assert.Equal(Enumerable.Range(0, 200).Select(i => (object?)(long)i), (List<object?>)result.Values["order"]!);
    }

    [Fact]
    public async Task Output_is_logged_under_its_own_category()
    {
        var marker = $"marker-{Guid.NewGuid():N}";
        await _python.ExecuteAsync($"print('{marker}')");
        Assert.Contains(fixture.Logs.Entries, e => e == $"EmbeddedPython.Output: {marker}");
    }

    [Fact]
    public async Task Output_of_python_threads_is_logged_line_by_line_without_waiting_for_a_request()
    {
        var marker = $"thread-{Guid.NewGuid():N}";
        await _python.ExecuteAsync($"import threading\nthreading.Thread(target=lambda: print('{marker}')).start()");
        var deadline = DateTime.UtcNow.AddSeconds(5);
        while (!fixture.Logs.Entries.Contains($"EmbeddedPython.Output: {marker}") && DateTime.UtcNow < deadline)
            await Task.Delay(20);
        Assert.Contains($"EmbeddedPython.Output: {marker}", fixture.Logs.Entries);
    }

    [Fact]
    public async Task A_callback_runs_without_the_gil_so_python_threads_go_on_while_it_blocks()
    {
        PythonCallback block = _ => { Thread.Sleep(300); return null; };
        var result = await _python.ExecuteAsync(
            "import threading, time\nticks = []\ndef count():\n    for i in range(10):\n        ticks.append(i)\n        time.sleep(0.01)\nt = threading.Thread(target=count)\nt.start()\nblock()\nseen = len(ticks)\nt.join()",
            new Dictionary<string, object?> { ["block"] = block });
        Assert.Equal(10L, result.Values["seen"]);
    }

    [Fact]
    public async Task Requests_errors_and_timeouts_are_counted_and_traced()
    {
        var measurements = new System.Collections.Concurrent.ConcurrentDictionary<string, long>();
        using var meters = new MeterListener();
        meters.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == "EmbeddedPython")
                listener.EnableMeasurementEvents(instrument);
        };
        meters.SetMeasurementEventCallback<long>((instrument, value, _, _) => measurements.AddOrUpdate(instrument.Name, value, (_, old) => old + value));
        meters.Start();
        var activities = new System.Collections.Concurrent.ConcurrentQueue<Activity>();
        using var tracing = new ActivityListener
        {
            ShouldListenTo = source => source.Name == "EmbeddedPython",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllData,
            ActivityStopped = activities.Enqueue,
        };
        ActivitySource.AddActivityListener(tracing);

        await _python.ExecuteAsync("x = 1");
        await Assert.ThrowsAsync<PythonException>(() => _python.ExecuteAsync("raise ValueError()"));
        await Assert.ThrowsAsync<PythonTimeoutException>(() => _python.ExecuteAsync(new PythonRequest { Code = "while True: pass", Timeout = TimeSpan.FromMilliseconds(50) }));
        await _python.ExecuteAsync("x = 1");
        meters.RecordObservableInstruments();

        Assert.True(measurements.GetValueOrDefault("embeddedpython.requests") >= 3);
        Assert.True(measurements.GetValueOrDefault("embeddedpython.errors") >= 1);
        Assert.True(measurements.GetValueOrDefault("embeddedpython.timeouts") >= 1);
        Assert.Contains("embeddedpython.queue.length", measurements.Keys);
        Assert.Contains(activities, a => a.OperationName == "python.request");
    }

    [Fact]
    public async Task The_health_check_reports_a_serving_interpreter()
    {
        var check = new PythonExecutorHealthCheck(fixture.Executor);
        var result = await check.CheckHealthAsync(new HealthCheckContext());
        Assert.Equal(HealthStatus.Healthy, result.Status);
        Assert.StartsWith("3.", (string)result.Data["pythonVersion"]);
    }
}

using System.Text;
using System.Diagnostics;
using System.Text.Json;
using EmbeddedPython.Grpc.Tests.Infrastructure;
using EmbeddedPython.Grpc.V1;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Grpc.Health.V1;
using ExecutorClient = EmbeddedPython.Grpc.V1.PythonExecutor.PythonExecutorClient;

namespace EmbeddedPython.Grpc.Tests.Executor;

[Collection(PythonCollection.Name)]
public sealed class ExecutorServiceTests(SharedPython python) : IAsyncLifetime
{
    private readonly CodeDirectory _code = new();
    private GrpcTestServer _server = null!;
    private ExecutorClient _client = null!;

    public async Task InitializeAsync()
    {
        _code.With("calc.py", """
            import asyncio

            def add(a, b):
                return a + b

            async def slow_double(n):
                await asyncio.sleep(0.01)
                return n * 2

            not_callable = 3
            """);
        _server = await GrpcTestServer.StartAsync(python.Executor, o =>
        {
            o.CodeDirectory = _code.Path;
            o.MaxTimeout = TimeSpan.FromMinutes(1);
        });
        _client = new ExecutorClient(_server.Channel);
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _code.Dispose();
    }

    [Fact]
    public async Task Execute_returns_the_selected_globals_keeping_int_float_and_big_int_apart()
    {
        var response = await _client.ExecuteAsync(new ExecuteRequest
        {
            RequestId = "r-1",
            Code = "doubled = x * 2\nbigger = big + 1\nratio = f\nkind = type(x).__name__ + '/' + type(f).__name__",
            PresetValuesJson = """{"x": 21, "f": 1.0, "big": 123456789012345678901234567890}""",
            ReturnNames = { "doubled", "bigger", "ratio", "kind", "nope" },
        });

        Assert.Equal("r-1", response.RequestId);
        using var results = JsonDocument.Parse(response.ResultsJson);
        Assert.Equal(42, results.RootElement.GetProperty("doubled").GetInt64());
        Assert.Equal("123456789012345678901234567891", results.RootElement.GetProperty("bigger").GetRawText());
        Assert.Equal("1.0", results.RootElement.GetProperty("ratio").GetRawText());
        Assert.Equal("int/float", results.RootElement.GetProperty("kind").GetString());
        Assert.Equal(["nope"], response.MissingReturnNames);
    }

    [Fact]
    public async Task Struct_presets_give_integral_numbers_as_int()
    {
        var presets = new Struct { Fields = { ["n"] = Value.ForNumber(3), ["x"] = Value.ForNumber(2.5), ["items"] = Value.ForList(Value.ForString("a")) } };
        var response = await _client.ExecuteAsync(new ExecuteRequest
        {
            Code = "kinds = [type(n).__name__, type(x).__name__, items]",
            PresetValues = presets,
            ReturnNames = { "kinds" },
        });

        Assert.Equal("""{"kinds":["int","float",["a"]]}""", response.ResultsJson);
    }

    [Fact]
    public async Task Captured_output_comes_back_with_the_result()
    {
        var response = await _client.ExecuteAsync(new ExecuteRequest { Code = "print('hello from python')", CaptureOutput = true });

        Assert.Contains("hello from python", response.Stdout);
    }

    [Fact]
    public async Task ExecuteStream_sends_each_emission_as_a_partial_then_completed_last()
    {
        using var call = _client.ExecuteStream(new ExecuteRequest
        {
            Code = "import embedded_python\nfor i in range(3):\n    embedded_python.emit({'i': i})\nembedded_python.complete('done')",
            CodeHandlesReturn = true,
        });
        var events = new List<ExecuteEvent>();
        await foreach (var e in call.ResponseStream.ReadAllAsync())
            events.Add(e);

        Assert.Equal([1UL, 2UL, 3UL, 4UL], events.Select(e => e.Seq));
        Assert.Equal(["""{"i":0}""", """{"i":1}""", """{"i":2}"""], events.Take(3).Select(e => e.Partial.ResultsJson));
        Assert.Equal("\"done\"", events[3].Completed.ResultsJson);
        Assert.Equal(StatusCode.OK, call.GetStatus().StatusCode);
    }

    [Fact]
    public async Task ExecuteStream_with_captured_output_sends_it_before_completed()
    {
        using var call = _client.ExecuteStream(new ExecuteRequest { Code = "print('hi')\nx = 2", CaptureOutput = true, ReturnNames = { "x" } });
        var events = new List<ExecuteEvent>();
        await foreach (var e in call.ResponseStream.ReadAllAsync())
            events.Add(e);

        Assert.Equal([ExecuteEvent.KindOneofCase.Output, ExecuteEvent.KindOneofCase.Completed], events.Select(e => e.KindCase));
        Assert.Equal((Output.Types.Stream.Stdout, "hi\n"), (events[0].Output.Stream, events[0].Output.Text));
        Assert.Equal("""{"x":2}""", events[1].Completed.ResultsJson);
    }

    [Fact]
    public async Task ExecuteStream_sends_output_lines_and_partial_results_in_the_order_they_happen()
    {
        using var call = _client.ExecuteStream(new ExecuteRequest
        {
            Code = "import asyncio, embedded_python\nprint('first')\nembedded_python.emit(1)\nawait asyncio.sleep(0.05)\nprint('second')\nembedded_python.complete(2)",
            CaptureOutput = true,
            CodeHandlesReturn = true,
        });
        var events = new List<ExecuteEvent>();
        await foreach (var e in call.ResponseStream.ReadAllAsync())
            events.Add(e);

        Assert.Equal(
            [ExecuteEvent.KindOneofCase.Output, ExecuteEvent.KindOneofCase.Partial, ExecuteEvent.KindOneofCase.Output, ExecuteEvent.KindOneofCase.Completed],
            events.Select(e => e.KindCase));
        Assert.Equal(["first\n", "second\n"], events.Where(e => e.KindCase == ExecuteEvent.KindOneofCase.Output).Select(e => e.Output.Text));
        Assert.Equal(Enumerable.Range(1, 4).Select(i => (ulong)i), events.Select(e => e.Seq));
    }

    [Fact]
    public async Task Unary_execute_of_code_that_handles_its_return_collects_the_partials()
    {
        var response = await _client.ExecuteAsync(new ExecuteRequest
        {
            Code = "import embedded_python\nembedded_python.emit(1)\nembedded_python.emit(2)\nembedded_python.complete(3)",
            CodeHandlesReturn = true,
        });

        Assert.Equal(["1", "2"], response.PartialResultsJson);
        Assert.Equal("3", response.ResultsJson);
    }

    [Fact]
    public async Task A_Python_exception_is_UNKNOWN_with_a_PythonError_in_the_status_details()
    {
        var error = await Assert.ThrowsAsync<RpcException>(() => _client.ExecuteAsync(new ExecuteRequest
        {
            RequestId = "r-err",
            Code = "def f():\n    return 1 / 0\nf()",
        }).ResponseAsync);

        Assert.Equal(StatusCode.Unknown, error.StatusCode);
        Assert.Equal("ZeroDivisionError: division by zero", error.Status.Detail);
        var detail = error.GetRpcStatus()!.GetDetail<PythonError>();
        Assert.Equal("ZeroDivisionError", detail.Type);
        Assert.Equal("builtins", detail.Module);
        Assert.Equal(PythonError.Types.Phase.Run, detail.Phase);
        Assert.Equal("r-err", detail.RequestId);
        Assert.Contains(detail.Frames, f => f.Name == "f" && f.Lineno == 2);
        Assert.Equal("ZeroDivisionError", error.Trailers.GetValue("python-exception-type"));
    }

    [Fact]
    public async Task The_causes_of_an_exception_come_as_its_chain_nearest_first()
    {
        var error = await Assert.ThrowsAsync<RpcException>(() => _client.ExecuteAsync(new ExecuteRequest
        {
            Code = """
                import json
                def load():
                    try:
                        return {}["missing"]
                    except KeyError as e:
                        raise ValueError("no config") from e
                try:
                    load()
                except ValueError:
                    json.loads("{")
                """,
        }).ResponseAsync);

        var detail = error.GetRpcStatus()!.GetDetail<PythonError>();
        Assert.Equal(("JSONDecodeError", "json.decoder"), (detail.Type, detail.Module));
        Assert.Equal([("ValueError", "no config"), ("KeyError", "'missing'")], detail.Chain.Select(c => (c.Type, c.Message)));
        Assert.Contains(detail.Chain[1].Frames, f => f.Name == "load" && f.Lineno == 4);
    }

    [Fact]
    public async Task A_syntax_error_is_INVALID_ARGUMENT_with_a_compile_phase_error()
    {
        var error = await Assert.ThrowsAsync<RpcException>(() => _client.ExecuteAsync(new ExecuteRequest { Code = "x = 1\ndef broken(:\n" }).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        var detail = error.GetRpcStatus()!.GetDetail<PythonError>();
        Assert.Equal("SyntaxError", detail.Type);
        Assert.Equal(PythonError.Types.Phase.Compile, detail.Phase);
    }

    [Fact]
    public async Task The_server_timeout_interrupts_a_busy_loop_and_the_next_request_runs()
    {
        var watch = Stopwatch.StartNew();
        var error = await Assert.ThrowsAsync<RpcException>(() => _client.ExecuteAsync(new ExecuteRequest
        {
            Code = "while True:\n    pass",
            Timeout = Duration.FromTimeSpan(TimeSpan.FromMilliseconds(200)),
        }).ResponseAsync);
        var elapsed = watch.Elapsed;

        Assert.Equal(StatusCode.DeadlineExceeded, error.StatusCode);
        Assert.Equal(PythonError.Types.Phase.Interrupted, error.GetRpcStatus()!.GetDetail<PythonError>().Phase);
        // The grace allows for a machine shared with other builds; an uninterrupted loop would never end.
        Assert.InRange(elapsed, TimeSpan.FromMilliseconds(190), TimeSpan.FromSeconds(5));
        var next = await _client.ExecuteAsync(new ExecuteRequest { Code = "ok = True" });
        Assert.Equal("""{"ok":true}""", next.ResultsJson);
    }

    [Fact]
    public async Task A_huge_allocation_fails_at_once_with_RESOURCE_EXHAUSTED_under_the_default_memory_limit()
    {
        var watch = Stopwatch.StartNew();
        var error = await Assert.ThrowsAsync<RpcException>(() => _client.ExecuteAsync(new ExecuteRequest { Code = "x = 'a' * 10**10" }).ResponseAsync);
        Assert.Equal(StatusCode.ResourceExhausted, error.StatusCode);
        Assert.Contains("memory limit of 268,435,456 bytes", error.Status.Detail);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), $"took {watch.Elapsed}");
        var next = await _client.ExecuteAsync(new ExecuteRequest { Code = "ok = len('a' * 10**6)", MemoryLimit = 64 << 20 });
        Assert.Equal("""{"ok":1000000}""", next.ResultsJson);
    }

    [Theory]
    [InlineData(0L)]
    [InlineData(2L << 30)]
    public async Task A_memory_limit_above_the_maximum_or_not_positive_is_INVALID_ARGUMENT(long limit)
    {
        var error = await Assert.ThrowsAsync<RpcException>(() => _client.ExecuteAsync(new ExecuteRequest { Code = "x = 1", MemoryLimit = limit }).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains("memory_limit", error.Status.Detail);
    }

    [Fact]
    public async Task The_client_deadline_interrupts_the_running_code()
    {
        var error = await Assert.ThrowsAsync<RpcException>(() => _client.ExecuteAsync(
            new ExecuteRequest { Code = "while True:\n    pass" },
            deadline: DateTime.UtcNow.AddMilliseconds(300)).ResponseAsync);

        Assert.Equal(StatusCode.DeadlineExceeded, error.StatusCode);
        // The interpreter was freed: a short request is served at once, not after the 30 s default limit.
        var watch = Stopwatch.StartNew();
        await _client.ExecuteAsync(new ExecuteRequest { Code = "ok = True" }, deadline: DateTime.UtcNow.AddSeconds(5));
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(3), $"the next request waited {watch.Elapsed}");
    }

    [Fact]
    public async Task Cancelling_mid_stream_ends_with_CANCELLED_and_stops_the_code()
    {
        using var cancel = new CancellationTokenSource();
        using var call = _client.ExecuteStream(new ExecuteRequest
        {
            Code = """
                import sys, time, types
                import embedded_python
                probe = sys.modules.setdefault("grpc_cancel_probe", types.ModuleType("grpc_cancel_probe"))
                probe.ticks = 0
                embedded_python.emit("started")
                while True:
                    probe.ticks += 1
                    time.sleep(0.01)
                """,
            CodeHandlesReturn = true,
        }, cancellationToken: cancel.Token);

        Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None));
        Assert.Equal("\"started\"", call.ResponseStream.Current.Partial.ResultsJson);
        cancel.Cancel();
        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext(CancellationToken.None));
        Assert.Equal(StatusCode.Cancelled, error.StatusCode);

        var first = await TicksAsync();
        await Task.Delay(300);
        Assert.Equal(first, await TicksAsync());
    }

    private async Task<long> TicksAsync()
    {
        var response = await _client.ExecuteAsync(new ExecuteRequest
        {
            Code = "import sys\nticks = sys.modules['grpc_cancel_probe'].ticks",
            ReturnNames = { "ticks" },
        }, deadline: DateTime.UtcNow.AddSeconds(10));
        using var json = JsonDocument.Parse(response.ResultsJson);
        return json.RootElement.GetProperty("ticks").GetInt64();
    }

    [Fact]
    public async Task A_queued_request_whose_deadline_passes_never_runs()
    {
        var blocker = _client.ExecuteAsync(new ExecuteRequest { Code = "import time\ntime.sleep(1)" });
        await Task.Delay(100);
        var queued = await Assert.ThrowsAsync<RpcException>(() => _client.ExecuteAsync(
            new ExecuteRequest { Code = "import sys, types\nsys.modules.setdefault('grpc_queue_probe', types.ModuleType('grpc_queue_probe')).ran = True" },
            deadline: DateTime.UtcNow.AddMilliseconds(200)).ResponseAsync);
        await blocker;

        Assert.Equal(StatusCode.DeadlineExceeded, queued.StatusCode);
        var probe = await _client.ExecuteAsync(new ExecuteRequest { Code = "import sys\nran = 'grpc_queue_probe' in sys.modules", ReturnNames = { "ran" } });
        Assert.Equal("""{"ran":false}""", probe.ResultsJson);
    }

    public static TheoryData<string, ExecuteRequest, string, string> MalformedRequests => new()
    {
        { "no source", new ExecuteRequest(), "source", "no source" },
        { "invalid JSON", new ExecuteRequest { Code = "x = 1", PresetValuesJson = "{nope" }, "preset_values_json", "not valid JSON" },
        { "JSON array", new ExecuteRequest { Code = "x = 1", PresetValuesJson = "[1, 2]" }, "preset_values_json", "must be a JSON object" },
        { "zero timeout", new ExecuteRequest { Code = "x = 1", Timeout = new Duration() }, "timeout", "timeout must be positive" },
        { "timeout beyond a protobuf Duration", new ExecuteRequest { Code = "x = 1", Timeout = new Duration { Seconds = long.MaxValue / 2 } }, "timeout", "not a valid duration" },
        { "timeout with nanos beyond a second", new ExecuteRequest { Code = "x = 1", Timeout = new Duration { Seconds = 1, Nanos = 2_000_000_000 } }, "timeout", "not a valid duration" },
        { "timeout above the maximum", new ExecuteRequest { Code = "x = 1", Timeout = Duration.FromTimeSpan(TimeSpan.FromHours(2)) }, "timeout", "above this server's maximum" },
        { "entry point outside the code directory", new ExecuteRequest { EntryPoint = new EntryPoint { File = "../calc.py", Function = "add" } }, "entry_point.file", "relative path" },
        { "entry point function not an identifier", new ExecuteRequest { EntryPoint = new EntryPoint { File = "calc.py", Function = "a-b" } }, "entry_point.function", "not a Python identifier" },
        { "empty return name", new ExecuteRequest { Code = "x = 1", ReturnNames = { "" } }, "return_names", "return_names" },
    };

    [Theory]
    [MemberData(nameof(MalformedRequests))]
    public async Task Malformed_requests_are_answered_with_INVALID_ARGUMENT_naming_the_field(string what, ExecuteRequest request, string field, string expected)
    {
        var error = await Assert.ThrowsAsync<RpcException>(() => _client.ExecuteAsync(request).ResponseAsync);

        Assert.True(error.StatusCode == StatusCode.InvalidArgument, $"{what}: {error.Status}");
        Assert.Contains(expected, error.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(field, Assert.Single(error.GetRpcStatus()!.GetDetail<Google.Rpc.BadRequest>().FieldViolations).Field);
    }

    [Fact]
    public async Task An_entry_point_is_called_with_the_presets_as_keyword_arguments()
    {
        var sum = await _client.ExecuteAsync(new ExecuteRequest { EntryPoint = new EntryPoint { File = "calc.py", Function = "add" }, PresetValuesJson = """{"a": 2, "b": 3}""" });
        var awaited = await _client.ExecuteAsync(new ExecuteRequest { EntryPoint = new EntryPoint { File = "calc.py", Function = "slow_double" }, PresetValuesJson = """{"n": 21}""" });

        Assert.Equal("5", sum.ResultsJson);
        Assert.Equal("42", awaited.ResultsJson);
    }

    [Fact]
    public async Task An_entry_point_leaves_no_adapter_code_in_the_cache_for_a_name_alone_to_rerun()
    {
        await _client.ExecuteAsync(new ExecuteRequest { EntryPoint = new EntryPoint { File = "calc.py", Function = "add" }, PresetValuesJson = """{"a": 2, "b": 3}""" });

        foreach (var name in new[] { "embedded_python_grpc.entry_point", "embedded_python_grpc.entry", "embedded_python_grpc_entry_calc" })
        {
            var error = await Assert.ThrowsAsync<RpcException>(() => _client.ExecuteAsync(new ExecuteRequest { Name = name }).ResponseAsync);
            Assert.True(error.StatusCode == StatusCode.InvalidArgument, $"{name}: {error.Status}");
        }
    }

    [Fact]
    public async Task An_entry_point_returns_what_it_printed_with_capture_output_or_streams_it_live()
    {
        _code.With("talk.py", """
            import sys
            def greet(name):
                print("hello", name)
                sys.stdout.write("no newline at the end")
                return len(name)
            """);

        var unary = await _client.ExecuteAsync(new ExecuteRequest { EntryPoint = new EntryPoint { File = "talk.py", Function = "greet" }, PresetValuesJson = """{"name": "ada"}""", CaptureOutput = true });
        var quiet = await _client.ExecuteAsync(new ExecuteRequest { EntryPoint = new EntryPoint { File = "talk.py", Function = "greet" }, PresetValuesJson = """{"name": "ada"}""" });
        using var stream = _client.ExecuteStream(new ExecuteRequest { EntryPoint = new EntryPoint { File = "talk.py", Function = "greet" }, PresetValuesJson = """{"name": "bo"}""", CaptureOutput = true });
        var printed = new StringBuilder();
        await foreach (var item in stream.ResponseStream.ReadAllAsync())
        {
            if (item.Output is { } output)
                printed.Append(output.Text);
        }

        Assert.Equal("3", unary.ResultsJson);
        Assert.Equal("hello ada\nno newline at the end", unary.Stdout);
        Assert.Equal("", quiet.Stdout);
        Assert.Equal("hello bo\nno newline at the end", printed.ToString());
    }

    [Fact]
    public async Task An_entry_point_that_returns_what_has_no_JSON_form_answers_null_and_names_the_result_lossy()
    {
        _code.With("shapes.py", """
            def make():
                return object()
            """);

        var response = await _client.ExecuteAsync(new ExecuteRequest { EntryPoint = new EntryPoint { File = "shapes.py", Function = "make" } });

        Assert.Equal("null", response.ResultsJson);
        Assert.Equal(["result"], response.LossyReturnNames);
    }

    [Theory]
    [InlineData("calc.py", "nope")]
    [InlineData("calc.py", "not_callable")]
    [InlineData("missing.py", "add")]
    public async Task An_unknown_entry_file_or_function_is_NOT_FOUND(string file, string function)
    {
        var error = await Assert.ThrowsAsync<RpcException>(() => _client.ExecuteAsync(new ExecuteRequest { EntryPoint = new EntryPoint { File = file, Function = function } }).ResponseAsync);

        Assert.Equal(StatusCode.NotFound, error.StatusCode);
    }

    [Fact]
    public async Task Two_hundred_concurrent_calls_each_get_their_own_result()
    {
        var calls = Enumerable.Range(0, 200).Select(async i =>
        {
            var response = await _client.ExecuteAsync(new ExecuteRequest { Code = "square = n * n", PresetValuesJson = $$"""{"n": {{i}}}""", ReturnNames = { "square" } });
            return (i, response.ResultsJson);
        });

        foreach (var (i, json) in await Task.WhenAll(calls))
            Assert.Equal($$"""{"square":{{i * i}}}""", json);
    }

    [Fact]
    public async Task Health_reports_SERVING_on_both_the_standard_and_our_own_service()
    {
        var health = new Health.HealthClient(_server.Channel);

        var named = await health.CheckAsync(new HealthCheckRequest { Service = Microsoft.Extensions.DependencyInjection.PythonGrpcServiceCollectionExtensions.HealthServiceName });
        var overall = await health.CheckAsync(new HealthCheckRequest());
        var ours = await _client.HealthAsync(new HealthRequest());

        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, named.Status);
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, overall.Status);
        Assert.Equal(HealthResponse.Types.Status.Serving, ours.Status);
        Assert.StartsWith("3.", ours.PythonVersion, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Calls_are_counted_by_status_on_the_package_meter()
    {
        var counted = new System.Collections.Concurrent.ConcurrentQueue<string>();
        using var listener = new System.Diagnostics.Metrics.MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == "EmbeddedPython.Grpc" && instrument.Name == "embeddedpython.grpc.executor.calls")
                l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<long>((_, value, tags, _) => counted.Enqueue($"{tags[0].Value}:{value}"));
        listener.Start();

        await _client.ExecuteAsync(new ExecuteRequest { Code = "x = 1" });
        await Assert.ThrowsAsync<RpcException>(() => _client.ExecuteAsync(new ExecuteRequest { Code = "1 / 0" }).ResponseAsync);

        Assert.Equal(["OK:1", "Unknown:1"], counted);
    }

    [Fact]
    public async Task Reflection_lists_the_executor_and_health()
    {
        var names = await _server.ListServicesAsync();

        Assert.Contains("embeddedpython.executor.v1.PythonExecutor", names);
        Assert.Contains("grpc.health.v1.Health", names);
    }
}

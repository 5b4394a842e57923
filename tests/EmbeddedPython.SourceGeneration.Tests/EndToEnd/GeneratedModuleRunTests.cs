using System.Reflection;
using System.Runtime.Loader;
using EmbeddedPython.SourceGeneration.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace EmbeddedPython.SourceGeneration.Tests.EndToEnd;

/// <summary>
/// The generated code compiled, loaded and run against real CPython through the core's call API: what the
/// generator writes does what the Python module does.
/// </summary>
public sealed class GeneratedModuleRunTests(GeneratedModuleFixture fixture) : IClassFixture<GeneratedModuleFixture>
{
    private readonly dynamic _module = fixture.Module;
    private readonly Assembly _assembly = fixture.Assembly;
    private readonly PythonExecutor _python = fixture.Python;

    private object NewRecord(string name, params object?[] values) =>
        Activator.CreateInstance(_assembly.GetType("EmbeddedPython.Generated." + name)!, values)!;

    [Fact]
    public async Task A_function_with_a_default_runs_with_and_without_it()
    {
        Assert.Equal(4L, (long)await _module.CountWordsAsync("a bb ccc dddd", 1L, CancellationToken.None));
        Assert.Equal(2L, (long)await _module.CountWordsAsync("a bb ccc dddd", 3L, CancellationToken.None));
    }

    [Fact]
    public async Task Records_go_to_Python_as_dataclass_instances_and_come_back_as_records()
    {
        var points = Array.CreateInstance(_assembly.GetType("EmbeddedPython.Generated.Point")!, 2);
        points.SetValue(NewRecord("Point", 1.0, 2.0), 0);
        points.SetValue(NewRecord("Point", 3.0, 6.0), 1);

        // centre(points) is the overload without `weights`, whose Python default ([]) has no C# form.
        object centre = await _module.CentreAsync((dynamic)points, CancellationToken.None);

        Assert.Equal(NewRecord("Point", 2.0, 4.0), centre);
    }

    [Fact]
    public async Task Typed_dicts_convert_both_ways_with_their_python_keys()
    {
        var points = Array.CreateInstance(_assembly.GetType("EmbeddedPython.Generated.Point")!, 1);
        points.SetValue(NewRecord("Point", 1.0, 0.0), 0);

        object totals = await _module.TotalsAsync((dynamic)points, "north", CancellationToken.None);
        string described = await _module.DescribeAsync((dynamic)totals, CancellationToken.None);

        Assert.Equal(NewRecord("Totals", 1L, "north"), totals);
        Assert.Equal("north:1", described);
    }

    [Fact]
    public async Task Literal_values_are_checked_both_ways()
    {
        Assert.Equal("slow", (string)await _module.PickAsync("slow", CancellationToken.None));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => (Task)_module.PickAsync("medium", CancellationToken.None));
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => (Task)_module.WrongAsync("medium", CancellationToken.None));
        Assert.Contains("the result of wrong is 'medium'", error.Message);
    }

    [Fact]
    public async Task Async_functions_take_keyword_only_arguments_and_return_tuples()
    {
        (long Number, string Text) result = await _module.LaterAsync(7L, 0.0, CancellationToken.None);

        Assert.Equal((7L, "7"), result);
    }

    [Fact]
    public async Task Generators_stream_and_none_returns_a_task()
    {
        var numbers = new List<long>();
        await foreach (long n in (IAsyncEnumerable<long>)_module.NumbersAsync(4L, CancellationToken.None))
            numbers.Add(n);

        await (Task)_module.NothingAsync(CancellationToken.None);

        Assert.Equal([0L, 1L, 2L, 3L], numbers);
    }

    [Fact]
    public async Task A_class_with_methods_is_a_handle_whose_methods_keep_its_state()
    {
        dynamic counter = await _module.CreateCounterAsync(5L, CancellationToken.None);
        Assert.Equal(6L, (long)await counter.AddAsync(1L, CancellationToken.None));
        Assert.Equal(16L, (long)await counter.AddAsync(10L, CancellationToken.None));

        var history = new List<long>();
        await foreach (long n in (IAsyncEnumerable<long>)counter.HistoryAsync(CancellationToken.None))
            history.Add(n);

        var counters = Array.CreateInstance(_assembly.GetType("EmbeddedPython.Generated.Counter")!, 1);
        counters.SetValue((object)counter, 0);
        Assert.Equal(16L, (long)await _module.TotalAsync((dynamic)counters, CancellationToken.None));
        Assert.Equal(16, history.Count);
        await ((IAsyncDisposable)counter).DisposeAsync();
    }

    [Fact]
    public void AddPythonModules_registers_the_module_and_its_folder()
    {
        var services = new ServiceCollection();
        services.AddSingleton<IPythonExecutor>(_python);
        var extensions = _assembly.GetType("Microsoft.Extensions.DependencyInjection.GeneratedPythonModulesServiceCollectionExtensions")!;
        extensions.GetMethod("AddPythonModules")!.Invoke(null, [services]);
        using var provider = services.BuildServiceProvider();

        var module = provider.GetRequiredService(_assembly.GetType("EmbeddedPython.Generated.IE2eShapes")!);

        Assert.Equal("E2eShapesModule", module.GetType().Name);
        Assert.Contains(Path.Combine(AppContext.BaseDirectory, "python"), provider.GetRequiredService<IOptions<PythonExecutorOptions>>().Value.SearchPaths);
    }
}

/// <summary>One module generated, compiled and loaded, and one executor (CPython starts once per process).</summary>
public sealed class GeneratedModuleFixture : IAsyncLifetime
{
    private const string Source = """
        import asyncio
        from dataclasses import dataclass
        from typing import Iterator, Literal, Optional, TypedDict

        @dataclass
        class Point:
            x: float
            y: float = 0.0

        class Totals(TypedDict):
            point_count: int
            label: str

        class Counter:
            def __init__(self, start: int = 0) -> None:
                self.value = start

            def add(self, amount: int = 1) -> int:
                self.value += amount
                return self.value

            def history(self) -> Iterator[int]:
                yield from range(self.value)

        def count_words(text: str, min_length: int = 1) -> int:
            return sum(1 for w in text.split() if len(w) >= min_length)

        def centre(points: list[Point], weights: list[float] = []) -> Point:
            assert all(isinstance(p, Point) for p in points), points
            return Point(sum(p.x for p in points) / len(points), sum(p.y for p in points) / len(points))

        def totals(points: list[Point], label: Optional[str] = None) -> Totals:
            return {"point_count": len(points), "label": label or "none"}

        def describe(totals: Totals) -> str:
            return f"{totals['label']}:{totals['point_count']}"

        def pick(mode: Literal["fast", "slow"]) -> Literal["fast", "slow"]:
            return mode

        def wrong(mode: str) -> Literal["fast", "slow"]:
            return mode

        async def later(value: int, *, delay: float = 0.01) -> tuple[int, str]:
            await asyncio.sleep(delay)
            return value, str(value)

        def numbers(n: int) -> Iterator[int]:
            yield from range(n)

        def nothing() -> None:
            return None

        def total(counters: list[Counter]) -> int:
            return sum(c.value for c in counters)
        """;

    private readonly string _folder = Directory.CreateTempSubdirectory("generated-modules-").FullName;

    public PythonExecutor Python { get; private set; } = null!;

    public dynamic Module { get; private set; } = null!;

    public Assembly Assembly { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        await File.WriteAllTextAsync(Path.Combine(_folder, "e2e_shapes.py"), Source);
        var generated = GeneratorHarness.Run("e2e_shapes", Source);
        Assert.Empty(generated.Diagnostics);
        Assert.Empty(generated.CompileProblems);
        using var image = new MemoryStream();
        var emitted = generated.Compilation.Emit(image);
        Assert.True(emitted.Success, string.Join("\n", emitted.Diagnostics));
        Assembly = new AssemblyLoadContext("generated", isCollectible: false).LoadFromStream(new MemoryStream(image.ToArray()));
        Python = new PythonExecutor(new PythonExecutorOptions { SearchPaths = { _folder } });
        Module = Activator.CreateInstance(Assembly.GetType("EmbeddedPython.Generated.E2eShapesModule")!, (IPythonExecutor)Python)!;
    }

    public async Task DisposeAsync()
    {
        if (Python is not null)
            await Python.DisposeAsync();
        Directory.Delete(_folder, recursive: true);
    }
}

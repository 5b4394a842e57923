using EmbeddedPython.SourceGeneration.Tests.Support;

namespace EmbeddedPython.SourceGeneration.Tests.Mapping;

/// <summary>The type table: each Python annotation and the C# type of the generated method.</summary>
public class TypeMappingTests
{
    [Theory]
    [InlineData("int", "long")]
    [InlineData("float", "double")]
    [InlineData("str", "string")]
    [InlineData("bool", "bool")]
    [InlineData("bytes", "byte[]")]
    [InlineData("list[int]", "IReadOnlyList<long>")]
    [InlineData("List[str]", "IReadOnlyList<string>")]
    [InlineData("typing.Sequence[float]", "IReadOnlyList<double>")]
    [InlineData("dict[str, int]", "IReadOnlyDictionary<string, long>")]
    [InlineData("Mapping[int, list[str]]", "IReadOnlyDictionary<long, IReadOnlyList<string>>")]
    [InlineData("tuple[int, str]", "(long, string)")]
    [InlineData("Tuple[float, float, bool]", "(double, double, bool)")]
    [InlineData("tuple[int, ...]", "IReadOnlyList<long>")]
    [InlineData("Optional[int]", "long?")]
    [InlineData("int | None", "long?")]
    [InlineData("None | str", "string?")]
    [InlineData("Union[str, None]", "string?")]
    [InlineData("list[Optional[float]]", "IReadOnlyList<double?>")]
    [InlineData("Literal['a', 'b']", "string")]
    [InlineData("numpy.ndarray", "PythonBuffer<double>")]
    [InlineData("np.ndarray", "PythonBuffer<double>")]
    [InlineData("memoryview", "PythonBuffer<double>")]
    [InlineData("Annotated[np.ndarray, np.float32]", "PythonBuffer<float>")]
    [InlineData("Annotated[np.ndarray, 'int64']", "PythonBuffer<long>")]
    [InlineData("npt.NDArray[np.uint8]", "PythonBuffer<byte>")]
    [InlineData("Any", "PythonObject")]
    [InlineData("'dict[str, int]'", "IReadOnlyDictionary<string, long>")]
    [InlineData("list", "IReadOnlyList<PythonObject>")]
    public void Result_annotation_maps_to(string annotation, string csharp)
    {
        var generated = GeneratorHarness.Run("shapes", $"def get() -> {annotation}:\n    ...\n");

        Assert.Equal($"Task<{csharp}> GetAsync(CancellationToken cancellationToken = default)", Assert.Single(generated.Signatures("IShapes", "GetAsync")));
        Assert.Empty(generated.CompileProblems);
        Assert.Empty(generated.Diagnostics);
    }

    [Theory]
    [InlineData("int", "long")]
    [InlineData("list[tuple[str, int]]", "IReadOnlyList<(string, long)>")]
    [InlineData("np.ndarray", "ReadOnlyMemory<double>")]
    [InlineData("Annotated[numpy.ndarray, 'float32']", "ReadOnlyMemory<float>")]
    [InlineData("Optional[bytes]", "byte[]?")]
    public void Parameter_annotation_maps_to(string annotation, string csharp)
    {
        var generated = GeneratorHarness.Run("shapes", $"def put(value: {annotation}) -> None:\n    ...\n");

        Assert.Equal([$"Task PutAsync({csharp} value, CancellationToken cancellationToken = default)"], generated.Signatures("IShapes", "PutAsync"));
        Assert.Empty(generated.CompileProblems);
    }

    [Fact]
    public void Unannotated_parameters_and_results_are_handles_without_a_warning()
    {
        var generated = GeneratorHarness.Run("shapes", "def echo(value):\n    return value\n");

        Assert.Equal(["Task<PythonObject> EchoAsync(PythonObject value, CancellationToken cancellationToken = default)"], generated.Signatures("IShapes", "EchoAsync"));
        Assert.Empty(generated.Diagnostics);
        Assert.Empty(generated.CompileProblems);
    }

    [Theory]
    [InlineData("def numbers(n: int) -> Iterator[int]:\n    yield from range(n)\n", "IAsyncEnumerable<long> NumbersAsync(long n, CancellationToken cancellationToken = default)")]
    [InlineData("def numbers(n: int) -> Generator[float, None, None]:\n    yield 1.0\n", "IAsyncEnumerable<double> NumbersAsync(long n, CancellationToken cancellationToken = default)")]
    [InlineData("async def numbers(n: int) -> AsyncIterator[str]:\n    yield 'a'\n", "IAsyncEnumerable<string> NumbersAsync(long n, CancellationToken cancellationToken = default)")]
    [InlineData("async def numbers(n: int) -> collections.abc.AsyncGenerator[tuple[int, str], None]:\n    yield (1, 'a')\n", "IAsyncEnumerable<(long, string)> NumbersAsync(long n, CancellationToken cancellationToken = default)")]
    [InlineData("async def numbers(n: int) -> int:\n    return n\n", "Task<long> NumbersAsync(long n, CancellationToken cancellationToken = default)")]
    [InlineData("async def numbers(n: int) -> None:\n    pass\n", "Task NumbersAsync(long n, CancellationToken cancellationToken = default)")]
    public void Async_functions_and_generators(string python, string signature)
    {
        var generated = GeneratorHarness.Run("shapes", python);

        Assert.Equal([signature], generated.Signatures("IShapes", "NumbersAsync"));
        Assert.Empty(generated.CompileProblems);
    }

    [Fact]
    public void Python_defaults_become_csharp_defaults_or_an_overload()
    {
        var generated = GeneratorHarness.Run("shapes", """
            def search(text: str, limit: int = 10, ratio: float = 1., exact: bool = False, mode: Literal["a", "b"] = "b", label: Optional[str] = None) -> int: ...
            def tag(name: str, tags: list[str] = [], weight: float = 0.5) -> int: ...
            def pair(first: int, second: int = 0x1F, *, flags: int = 1_000) -> int: ...
            def loose(count: int = None) -> int: ...
            """);

        Assert.Equal(["Task<long> SearchAsync(string text, long limit = 10, double ratio = 1, bool exact = false, string mode = \"b\", string? label = null, CancellationToken cancellationToken = default)"],
            generated.Signatures("IShapes", "SearchAsync"));
        Assert.Equal([
            "Task<long> TagAsync(string name, IReadOnlyList<string> tags, double weight = 0.5, CancellationToken cancellationToken = default)",
            "Task<long> TagAsync(string name, CancellationToken cancellationToken = default)",
        ], generated.Signatures("IShapes", "TagAsync"));
        Assert.Equal(["Task<long> PairAsync(long first, long second = 31, long flags = 1000, CancellationToken cancellationToken = default)"], generated.Signatures("IShapes", "PairAsync"));
        Assert.Equal(["Task<long> LooseAsync(long? count = null, CancellationToken cancellationToken = default)"], generated.Signatures("IShapes", "LooseAsync"));
        Assert.Contains("Kwargs = new global::System.Collections.Generic.Dictionary<string, object?> { [\"flags\"] = flags }", generated.Source("IShapes.g.cs"));
        Assert.Empty(generated.CompileProblems);
    }

    [Fact]
    public void Dataclasses_and_typed_dicts_become_records_with_pascal_case_properties()
    {
        var generated = GeneratorHarness.Run("geometry", """
            from dataclasses import dataclass
            from typing import ClassVar, TypedDict

            @dataclass
            class Point:
                x: float
                y: float = 0.0
                origin_name: ClassVar[str] = "o"

            class Summary(TypedDict):
                point_count: int
                centre: Point

            def centre(points: list[Point]) -> Point: ...
            def summary(points: list[Point], around: Optional[Point] = None) -> Summary: ...
            def describe(summary: Summary) -> str: ...
            """);

        var point = generated.Type("Point");
        Assert.True(point.IsRecord);
        Assert.Equal(["X", "Y"], point.GetMembers().OfType<Microsoft.CodeAnalysis.IPropertySymbol>().Where(p => p.Name != "EqualityContract").Select(p => p.Name));
        Assert.Equal(["PointCount", "Centre"], generated.Type("Summary").GetMembers().OfType<Microsoft.CodeAnalysis.IPropertySymbol>().Where(p => p.Name != "EqualityContract").Select(p => p.Name));
        Assert.Equal(["Task<Point> CentreAsync(IReadOnlyList<Point> points, CancellationToken cancellationToken = default)"], generated.Signatures("IGeometry", "CentreAsync"));
        Assert.Equal(["Task<Summary> SummaryAsync(IReadOnlyList<Point> points, Point? around = null, CancellationToken cancellationToken = default)"], generated.Signatures("IGeometry", "SummaryAsync"));
        var source = generated.Source("IGeometry.g.cs");
        Assert.Contains("new global::EmbeddedPython.PythonCall(ModuleName, \"Point\") { Kwargs = new global::System.Collections.Generic.Dictionary<string, object?> { [\"x\"] = value.X, [\"y\"] = value.Y } }", source);
        Assert.Contains("[\"point_count\"] = value.PointCount", source);
        Assert.Empty(generated.CompileProblems);
    }

    [Fact]
    public void A_class_with_methods_becomes_a_handle_type_created_through_the_module()
    {
        var generated = GeneratorHarness.Run("counting", """
            class Counter:
                '''Counts things.'''
                def __init__(self, start: int = 0) -> None:
                    self.value = start

                def add(self, amount: int = 1) -> int:
                    self.value += amount
                    return self.value

                def history(self) -> Iterator[int]:
                    yield self.value

                def copy(self) -> "Counter":
                    return Counter(self.value)

                @staticmethod
                def helper() -> int:
                    return 1

            def biggest(counters: list[Counter], fallback: Counter | None = None) -> Optional[Counter]: ...
            """);

        Assert.Equal(["Task<Counter> CreateCounterAsync(long start = 0, CancellationToken cancellationToken = default)"], generated.Signatures("ICounting", "CreateCounterAsync"));
        Assert.Equal(["Task<long> AddAsync(long amount = 1, CancellationToken cancellationToken = default)"], generated.Signatures("Counter", "AddAsync"));
        Assert.Equal(["IAsyncEnumerable<long> HistoryAsync(CancellationToken cancellationToken = default)"], generated.Signatures("Counter", "HistoryAsync"));
        Assert.Equal(["Task<Counter> CopyAsync(CancellationToken cancellationToken = default)"], generated.Signatures("Counter", "CopyAsync"));
        Assert.Empty(generated.Signatures("Counter", "HelperAsync"));
        Assert.Equal(["Task<Counter?> BiggestAsync(IReadOnlyList<Counter> counters, Counter? fallback = null, CancellationToken cancellationToken = default)"], generated.Signatures("ICounting", "BiggestAsync"));
        Assert.Contains("new global::EmbeddedPython.PythonCall(CountingModule.ModuleName, \"Counter.add\") { Args = new object?[] { Handle, amount } }", generated.Source("ICounting.g.cs"));
        Assert.Empty(generated.CompileProblems);
    }

    [Fact]
    public void Names_become_pascal_and_camel_case_and_keywords_are_escaped()
    {
        var generated = GeneratorHarness.Run("text_tools", """
            def count_words(text: str, min_length: int = 1) -> int: ...
            def _private_helper() -> int: ...
            def classify(class_: str, params: str, event: int) -> str: ...
            """);

        Assert.Equal(["Task<long> CountWordsAsync(string text, long minLength = 1, CancellationToken cancellationToken = default)"], generated.Signatures("ITextTools", "CountWordsAsync"));
        Assert.Equal(["Task<string> ClassifyAsync(string @class, string @params, long @event, CancellationToken cancellationToken = default)"], generated.Signatures("ITextTools", "ClassifyAsync"));
        Assert.Empty(generated.Signatures("ITextTools", "PrivateHelperAsync"));
        Assert.Empty(generated.Signatures("ITextTools", "_PrivateHelperAsync"));
        Assert.Empty(generated.CompileProblems);
    }
}

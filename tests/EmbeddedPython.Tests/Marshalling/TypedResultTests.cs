namespace EmbeddedPython.Tests.Marshalling;

/// <summary>PythonResult.Get&lt;T&gt;: the same typed rules, read from the converted returned globals.</summary>
[Collection(PythonCollection.Name)]
public sealed class TypedResultTests(PythonFixture fixture)
{
    private Task<PythonResult> Run(string code) => fixture.Executor.ExecuteAsync(new PythonRequest { Code = code });

    public sealed record Point(int X, int Y);

    public sealed record Shape(string Kind, List<Point> Points, TypedConversionTests.Colour Colour);

    [Fact]
    public async Task Get_reads_returned_globals_as_typed_values()
    {
        var result = await Run("""
            import datetime
            count = 3
            ratio = 0.5
            names = ['a', 'b']
            by_id = {1: 'one', 2: 'two'}
            flags = {True: 1, False: 0}
            pair = (4, 'four')
            when = datetime.date(2024, 5, 6)
            shape = {'kind': 'triangle', 'points': [{'x': 0, 'y': 0}, {'X': 1, 'Y': 0}, {'x': 0, 'y': 1}], 'colour': 'RED'}
            """);
        Assert.Equal(3, result.Get<int>("count"));
        Assert.Equal(3L, result.Get<long?>("count"));
        Assert.Equal(0.5, result.Get<double>("ratio"));
        Assert.Equal(new[] { "a", "b" }, result.Get<string[]>("names"));
        Assert.Equal(new Dictionary<int, string> { [1] = "one", [2] = "two" }, result.Get<Dictionary<int, string>>("by_id"));
        Assert.Equal(new Dictionary<bool, int> { [true] = 1, [false] = 0 }, result.Get<IReadOnlyDictionary<bool, int>>("flags"));
        Assert.Equal((4, "four"), result.Get<(int, string)>("pair"));
        Assert.Equal(new DateOnly(2024, 5, 6), result.Get<DateOnly>("when"));
        var shape = result.Get<Shape>("shape");
        Assert.Equal("triangle", shape.Kind);
        Assert.Equal([new Point(0, 0), new Point(1, 0), new Point(0, 1)], shape.Points);
        Assert.Equal(TypedConversionTests.Colour.Red, shape.Colour);
        Assert.Same(result.Values["names"], result.Get<object>("names"));
    }

    [Fact]
    public async Task Get_names_the_path_of_a_mismatch_from_the_global()
    {
        var result = await Run("shape = {'kind': 'line', 'colour': 1, 'points': [{'x': 0, 'y': 0}, {'x': 1, 'y': 1}, {'x': 2, 'y': 'two'}]}\nbig = 2**40");
        Assert.Equal("shape.points[2].y: str is not a int", Assert.Throws<PythonConversionException>(() => result.Get<Shape>("shape")).Message);
        Assert.Equal("shape.points[2].y", Assert.Throws<PythonConversionException>(() => result.Get<Shape>("shape")).Path);
        Assert.Equal("big: int 1099511627776 is out of the range of int", Assert.Throws<PythonConversionException>(() => result.Get<int>("big")).Message);
        Assert.Equal("shape: dict is not a string", Assert.Throws<PythonConversionException>(() => result.Get<string>("shape")).Message);
        Assert.Contains("no value named 'missing'", Assert.Throws<KeyNotFoundException>(() => result.Get<int>("missing")).Message);
    }
}

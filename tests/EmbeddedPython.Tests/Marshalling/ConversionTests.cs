using System.Numerics;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace EmbeddedPython.Tests.Marshalling;

[Collection(PythonCollection.Name)]
public sealed class ConversionTests(PythonFixture fixture)
{
    private readonly IPythonExecutor _python = fixture.Executor;

    private async Task<object?> Eval(string expression) =>
        (await _python.ExecuteAsync(new PythonRequest { Code = $"import datetime, decimal, uuid\nv = {expression}", LimitReturnTo = ["v"] })).Values.GetValueOrDefault("v");

    private async Task<object?> RoundTrip(object? value) =>
        (await _python.ExecuteAsync(new PythonRequest { Code = "v = value", PresetValues = new Dictionary<string, object?> { ["value"] = value } })).Values["v"];

    private async Task<string> PythonRepr(object? value) =>
        (string)(await _python.ExecuteAsync(new PythonRequest { Code = "r = repr(value)", PresetValues = new Dictionary<string, object?> { ["value"] = value }, LimitReturnTo = ["r"] })).Values["r"]!;

    [Fact]
    public async Task Python_values_convert_to_plain_dotnet_values()
    {
        Assert.Null(await Eval("None"));
        Assert.Equal(true, await Eval("True"));
        Assert.Equal(-7L, await Eval("-7"));
        Assert.Equal(BigInteger.Pow(2, 70), await Eval("2**70"));
        Assert.Equal(-BigInteger.Pow(2, 100), await Eval("-2**100"));
        Assert.Equal(3.5, await Eval("3.5"));
        Assert.Equal("héllo 🐍", await Eval("'héllo 🐍'"));
        Assert.Equal(new byte[] { 97, 0, 255 }, await Eval("b'a\\x00\\xff'"));
        Assert.Equal(new byte[] { 1, 2 }, await Eval("bytearray([1, 2])"));
        Assert.Equal(new List<object?> { 1L, "a" }, await Eval("(1, 'a')"));
        Assert.Equal(new List<object?> { 1L }, await Eval("{1}"));
        Assert.Equal(new Dictionary<string, object?> { ["2"] = "int", ["2.5"] = "float", ["true"] = "bool", ["null"] = 0L, ["k"] = null }, await Eval("{2: 'int', 2.5: 'float', True: 'bool', None: 0, 'k': None}"));
        Assert.Equal(new DateOnly(2024, 2, 29), await Eval("datetime.date(2024, 2, 29)"));
        Assert.Equal(new DateTime(2024, 2, 29, 13, 14, 15, 123), await Eval("datetime.datetime(2024, 2, 29, 13, 14, 15, 123000)"));
        Assert.Equal(new DateTimeOffset(2024, 2, 29, 13, 14, 15, TimeSpan.FromHours(2)), await Eval("datetime.datetime(2024, 2, 29, 13, 14, 15, tzinfo=datetime.timezone(datetime.timedelta(hours=2)))"));
        Assert.Equal(12.345m, await Eval("decimal.Decimal('12.345')"));
        Assert.Equal(Guid.Parse("12345678-1234-5678-1234-567812345678"), await Eval("uuid.UUID('12345678-1234-5678-1234-567812345678')"));
    }

    [Fact]
    public async Task Subclasses_of_builtin_types_convert_as_their_base()
    {
        Assert.Equal(2L, await Eval("__import__('enum').IntEnum('E', 'A B').B"));
        Assert.Equal(new Dictionary<string, object?> { ["a"] = 1L }, await Eval("__import__('collections').OrderedDict(a=1)"));
        Assert.Equal(new List<object?> { 1L, 2L }, await Eval("__import__('collections').namedtuple('P', 'x y')(1, 2)"));
    }

    [Fact]
    public async Task Dotnet_values_round_trip_through_python()
    {
        object?[] values =
        [
            null, true, 42L, long.MinValue, BigInteger.Parse("123456789012345678901234567890"), 2.25, "text ✓", new byte[] { 0, 1, 2 },
            new DateOnly(2020, 1, 2), new DateTime(2020, 1, 2, 3, 4, 5, 678), new DateTimeOffset(2020, 1, 2, 3, 4, 5, TimeSpan.FromMinutes(-90)),
            79228162514264337593543950335m, Guid.NewGuid(),
            new List<object?> { 1L, "two", null }, new Dictionary<string, object?> { ["nested"] = new Dictionary<string, object?> { ["x"] = 1L } },
        ];
        foreach (var value in values)
            Assert.Equal(value, await RoundTrip(value));
    }

    [Fact]
    public async Task Other_dotnet_shapes_become_python_containers()
    {
        Assert.Equal("[1, 2, 3]", await PythonRepr(new[] { 1, 2, 3 }));
        Assert.Equal("{1: 'a'}", await PythonRepr(new Dictionary<int, string> { [1] = "a" }));
        Assert.Equal("{'a': [1, 2.5, True, None]}", await PythonRepr(JsonDocument.Parse("{\"a\":[1,2.5,true,null]}").RootElement));
        Assert.Equal("{'b': {'c': 'd'}}", await PythonRepr(JsonNode.Parse("{\"b\":{\"c\":\"d\"}}")));
        Assert.Equal("{'Name': 'n', 'Count': 3}", await PythonRepr(new Poco("n", 3)));
        Assert.Equal("3", await PythonRepr(DayOfWeek.Wednesday));
        Assert.Equal("datetime.datetime(2020, 1, 2, 3, 4, 5, tzinfo=datetime.timezone.utc)", await PythonRepr(new DateTime(2020, 1, 2, 3, 4, 5, DateTimeKind.Utc)));
    }

    public sealed record Poco(string Name, int Count);

    [Fact]
    public async Task Cycles_are_detected_on_both_sides()
    {
        var cyclic = new List<object?>();
        cyclic.Add(cyclic);
        var error = await Assert.ThrowsAsync<ArgumentException>(() => RoundTrip(cyclic));
        Assert.Contains("cycle", error.Message);

        var result = await _python.ExecuteAsync("loop = []\nloop.append(loop)\nfine = 1");
        Assert.False(result.Values.ContainsKey("loop"));
        Assert.Equal(1L, result.Values["fine"]);
    }

    [Fact]
    public async Task The_ten_key_mixed_dict_converts_to_the_expected_types()
    {
        var value = (Dictionary<string, object?>)(await Eval("{'i': 42, 'f': 3.5, 's': 'hello world', 'b': True, 'n': None, 'big': 2**70, 'by': b'abc\\x00', 'l': [1, 2.5, 'x'], 't': (1, 'a'), 'm': {'k': 1, 'j': [None]}}"))!;
        Assert.IsType<long>(value["i"]);
        Assert.IsType<double>(value["f"]);
        Assert.IsType<string>(value["s"]);
        Assert.IsType<bool>(value["b"]);
        Assert.Null(value["n"]);
        Assert.IsType<BigInteger>(value["big"]);
        Assert.IsType<byte[]>(value["by"]);
        Assert.IsType<List<object?>>(value["l"]);
        Assert.IsType<List<object?>>(value["t"]);
        Assert.IsType<Dictionary<string, object?>>(value["m"]);
    }
}

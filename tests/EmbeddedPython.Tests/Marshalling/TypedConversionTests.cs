using System.Numerics;

namespace EmbeddedPython.Tests.Marshalling;

[Collection(PythonCollection.Name)]
public sealed class TypedConversionTests(PythonFixture fixture)
{
    private Task<T> Convert<T>(string expression) => OnInterpreter.FromPythonAsync<T>(fixture.Executor, expression);

    private async Task<string> Failure<T>(string expression) =>
        (await Assert.ThrowsAsync<PythonConversionException>(() => Convert<T>(expression))).Message;

    public enum Colour { Red = 1, DarkBlue = 2 }

    [Flags]
    public enum Access { Read = 1, Write = 2 }

    /// <summary>An enum only this record uses, so that the test meets it first as a member.</summary>
    public enum Shade { Light = 1, Deep = 2 }

    public sealed record Paint(string Name, Shade Shade);

    public sealed record Line(string Product, double UnitPrice, int Quantity = 1);

    public sealed record Order(int Id, List<Line> Lines, DateOnly? Due);

    public sealed class Settings
    {
        public string Name { get; set; } = "unset";
        public int Retries { get; init; } = 3;
        public Colour Colour { get; set; }
    }

    public sealed record Node(string Name, List<Node> Children);

    [Fact]
    public async Task Numbers_convert_with_range_checks_and_never_from_a_bool_or_a_string()
    {
        Assert.Equal(300, await Convert<int>("300"));
        Assert.Equal((byte)255, await Convert<byte>("255"));
        Assert.Equal(ulong.MaxValue, await Convert<ulong>("2**64 - 1"));
        Assert.Equal(-5L, await Convert<long>("-5"));
        Assert.Equal(2.5, await Convert<double>("2.5"));
        Assert.Equal(2.0, await Convert<double>("2"));
        Assert.Equal(1.5f, await Convert<float>("1.5"));
        Assert.Equal(BigInteger.Pow(2, 100), await Convert<BigInteger>("2**100"));
        Assert.Equal(0.1m, await Convert<decimal>("0.1"));
        Assert.Equal(12.345m, await Convert<decimal>("__import__('decimal').Decimal('12.345')"));
        Assert.True(await Convert<bool>("True"));
        Assert.Equal('x', await Convert<char>("'x'"));
        Assert.Equal("result: int 300 is out of the range of byte", await Failure<byte>("300"));
        Assert.Equal("result: int -1 is out of the range of ulong", await Failure<ulong>("-1"));
        Assert.Equal("result: int 36893488147419103232 is out of the range of long", await Failure<long>("2**65"));
        Assert.Equal("result: bool is not a int", await Failure<int>("True"));
        Assert.Equal("result: float is not a int", await Failure<int>("1.5"));
        Assert.Equal("result: str is not a double", await Failure<double>("'1.5'"));
        Assert.Equal("result: int is not a bool", await Failure<bool>("1"));
        Assert.Equal("result: str of length 2 is not a char", await Failure<char>("'ab'"));
        Assert.Equal("result: 1E+300 is out of the range of float", await Failure<float>("1e300"));
    }

    [Fact]
    public async Task None_is_null_for_reference_and_nullable_types_and_an_error_for_values()
    {
        Assert.Null(await Convert<string>("None"));
        Assert.Null(await Convert<int?>("None"));
        Assert.Equal(4, await Convert<int?>("4"));
        Assert.Null(await Convert<List<int>>("None"));
        Assert.Null(await Convert<object>("None"));
        Assert.Equal("result: None is not a int", await Failure<int>("None"));
    }

    [Fact]
    public async Task Collections_convert_to_arrays_lists_sets_and_dictionaries_with_typed_keys()
    {
        Assert.Equal(new[] { 1, 2, 3 }, await Convert<int[]>("[1, 2, 3]"));
        Assert.Equal(new[] { "a", "b" }, await Convert<string[]>("('a', 'b')"));
        Assert.Equal(new List<long> { 3, 1 }, await Convert<List<long>>("(x for x in (3, 1))"));
        Assert.Equal(new[] { 1.5, 2 }, await Convert<IReadOnlyList<double>>("[1.5, 2]"));
        Assert.Equal(new[] { "x" }, await Convert<IEnumerable<string>>("['x']"));
        Assert.Equal(new HashSet<int> { 1, 2 }, await Convert<HashSet<int>>("{1, 2}"));
        Assert.Equal(new Dictionary<int, string> { [1] = "a", [2] = "b" }, await Convert<Dictionary<int, string>>("{1: 'a', 2: 'b'}"));
        Assert.Equal(new Dictionary<Colour, bool> { [Colour.Red] = true }, await Convert<IReadOnlyDictionary<Colour, bool>>("{'red': True}"));
        var nested = await Convert<Dictionary<string, List<int>>>("{'a': [1], 'b': []}");
        Assert.Equal(new List<int> { 1 }, nested["a"]);
        Assert.Empty(nested["b"]);
        Assert.Equal("result[1]: str is not a int", await Failure<int[]>("[1, 'two']"));
        Assert.Equal("result['b'][2]: float is not a int", await Failure<Dictionary<string, int[]>>("{'a': [1], 'b': [1, 2, 3.5]}"));
        Assert.Equal("result: str is not a List<int>", await Failure<List<int>>("'123'"));
        Assert.Equal("result: dict is not a int[]", await Failure<int[]>("{1: 2}"));
        Assert.Equal("result['x']: str is not a int", await Failure<Dictionary<int, int>>("{'x': 1}"));
    }

    [Fact]
    public async Task Value_tuples_convert_from_tuples_of_the_same_length()
    {
        Assert.Equal((1, "a"), await Convert<(int, string)>("(1, 'a')"));
        Assert.Equal((1L, 2.5, true), await Convert<(long, double, bool)>("[1, 2.5, True]"));
        Assert.Equal("result: tuple of 3 items is not a ValueTuple<int, string>", await Failure<(int, string)>("(1, 'a', 2)"));
        Assert.Equal("result[1]: int is not a string", await Failure<(int, string)>("(1, 2)"));
    }

    [Fact]
    public async Task Records_convert_inside_lists_arrays_and_string_keyed_dictionaries_with_their_paths()
    {
        var lines = await Convert<List<Line>>("[{'product': 'tea', 'unit_price': 2.5}, {'product': 'cup', 'unit_price': 4, 'quantity': 3}]");
        Assert.Equal([new Line("tea", 2.5), new Line("cup", 4, 3)], lines);
        Assert.Equal([new Line("pot", 9)], await Convert<Line[]>("({'product': 'pot', 'unit_price': 9},)"));
        var byName = await Convert<Dictionary<string, Line>>("{'a': {'product': 'tea', 'unit_price': 1}}");
        Assert.Equal(new Line("tea", 1), byName["a"]);
        Assert.Equal(["x", "y"], await Convert<string[]>("['x', 'y']"));
        Assert.Null(await Convert<Line[]>("None"));
        Assert.Equal("result[1].unit_price: str is not a double", await Failure<Line[]>("[{'product': 'a', 'unit_price': 1}, {'product': 'b', 'unit_price': 'x'}]"));
        Assert.Equal("result[0].unitprice: str is not a double", await Failure<List<Line>>("[{'product': 'a', 'unitprice': 'x'}]"));
        Assert.Equal("result['k'].quantity: str is not a int", await Failure<Dictionary<string, Line>>("{'k': {'product': 'a', 'unit_price': 1, 'quantity': 'many'}}"));
        Assert.Equal("result: int is not a List<Line>", await Failure<List<Line>>("3"));
    }

    [Fact]
    public async Task An_enum_met_first_as_a_record_member_converts_there_and_then_on_its_own()
    {
        Assert.Equal(new Paint("sea", Shade.Deep), await Convert<Paint>("{'name': 'sea', 'shade': 'DEEP'}"));
        Assert.Equal(Shade.Light, await Convert<Shade>("1"));
        Assert.Equal("result.shade: int 9 is not a value of Shade", await Failure<Paint>("{'name': 'x', 'shade': 9}"));
    }

    [Fact]
    public async Task Enums_convert_from_ints_names_in_any_case_and_python_enum_members()
    {
        Assert.Equal(Colour.DarkBlue, await Convert<Colour>("2"));
        Assert.Equal(Colour.DarkBlue, await Convert<Colour>("'DARK_BLUE'"));
        Assert.Equal(Colour.Red, await Convert<Colour>("'red'"));
        Assert.Equal(Colour.DarkBlue, await Convert<Colour>("__import__('enum').Enum('C', 'RED DARK_BLUE').DARK_BLUE"));
        Assert.Equal(Access.Read | Access.Write, await Convert<Access>("3"));
        Assert.Equal("result: int 7 is not a value of Colour", await Failure<Colour>("7"));
        Assert.Equal("result: 'green' is not a name of Colour (Red, DarkBlue)", await Failure<Colour>("'green'"));
    }

    [Fact]
    public async Task Dates_times_and_identifiers_convert_from_their_standard_library_types()
    {
        Assert.Equal(new DateTime(2024, 2, 29, 13, 14, 15), await Convert<DateTime>("__import__('datetime').datetime(2024, 2, 29, 13, 14, 15)"));
        var aware = "__import__('datetime').datetime(2024, 2, 29, 13, 0, tzinfo=__import__('datetime').timezone(__import__('datetime').timedelta(hours=2)))";
        Assert.Equal(new DateTimeOffset(2024, 2, 29, 13, 0, 0, TimeSpan.FromHours(2)), await Convert<DateTimeOffset>(aware));
        Assert.Equal(new DateTime(2024, 2, 29, 11, 0, 0, DateTimeKind.Utc), await Convert<DateTime>(aware));
        Assert.Equal(new DateOnly(2024, 2, 29), await Convert<DateOnly>("__import__('datetime').date(2024, 2, 29)"));
        Assert.Equal(new TimeSpan(1, 2, 3, 4) + TimeSpan.FromMicroseconds(5), await Convert<TimeSpan>("__import__('datetime').timedelta(days=1, hours=2, minutes=3, seconds=4, microseconds=5)"));
        Assert.Equal(TimeSpan.FromSeconds(-1), await Convert<TimeSpan>("__import__('datetime').timedelta(seconds=-1)"));
        var guid = Guid.Parse("12345678-1234-5678-1234-567812345678");
        Assert.Equal(guid, await Convert<Guid>("__import__('uuid').UUID('12345678-1234-5678-1234-567812345678')"));
        Assert.Equal(guid, await Convert<Guid>("'12345678-1234-5678-1234-567812345678'"));
        Assert.Equal("result: naive datetime (no tzinfo) is not a DateTimeOffset", await Failure<DateTimeOffset>("__import__('datetime').datetime(2024, 1, 1)"));
        Assert.Equal("result: datetime.datetime is not a DateOnly", await Failure<DateOnly>("__import__('datetime').datetime(2024, 1, 1)"));
        Assert.Equal("result: str is not a DateTime", await Failure<DateTime>("'2024-01-01'"));
    }

    [Fact]
    public async Task Records_fill_from_dicts_dataclasses_and_objects_by_name_in_any_case_or_snake_case()
    {
        var fromDict = await Convert<Order>("{'id': 7, 'lines': [{'product': 'tea', 'unit_price': 2.5, 'quantity': 2}, {'Product': 'cup', 'UNITPRICE': 4}], 'due': None, 'extra': 'ignored'}");
        Assert.Equal(7, fromDict.Id);
        Assert.Equal(new Line("tea", 2.5, 2), fromDict.Lines[0]);
        Assert.Equal(new Line("cup", 4, 1), fromDict.Lines[1]);
        Assert.Null(fromDict.Due);

        var dataclass = "__import__('dataclasses').make_dataclass('L', ['product', 'unit_price'])('pot', 9.0)";
        Assert.Equal(new Line("pot", 9.0), await Convert<Line>(dataclass));
        Assert.Equal(new Line("jar", 1.25), await Convert<Line>("__import__('collections').namedtuple('L', 'product unit_price')('jar', 1.25)"));
        var plain = "type('S', (), {'name': 'svc', 'colour': 'dark_blue'})()";
        var settings = await Convert<Settings>(plain);
        Assert.Equal("svc", settings.Name);
        Assert.Equal(Colour.DarkBlue, settings.Colour);
        Assert.Equal(3, settings.Retries);

        var tree = await Convert<Node>("{'name': 'root', 'children': [{'name': 'leaf', 'children': []}]}");
        Assert.Equal("leaf", Assert.Single(tree.Children).Name);
    }

    [Fact]
    public async Task Record_mismatches_name_the_path_and_the_missing_member()
    {
        Assert.Equal("result.lines[1].unit_price: str is not a double",
            await Failure<Order>("{'id': 1, 'due': None, 'lines': [{'product': 'a', 'unit_price': 1.0}, {'product': 'b', 'unit_price': 'cheap'}]}"));
        Assert.Equal("result.lines[0]: dict has no value for Line.UnitPrice (looked for 'unit_price' and the same name in any case)",
            await Failure<Order>("{'id': 1, 'due': None, 'lines': [{'product': 'a'}]}"));
        Assert.Equal("result: int is not a Line", await Failure<Line>("5"));
        Assert.StartsWith("result: list has no value for Line.Product", await Failure<Line>("[1, 2]"));
    }

    [Fact]
    public async Task Object_target_gives_the_untyped_conversion_and_refuses_what_has_no_dotnet_form()
    {
        Assert.Equal(new List<object?> { 1L, "a", null }, await Convert<object>("(1, 'a', None)"));
        Assert.Equal(new Dictionary<string, object?> { ["k"] = 2.5 }, await Convert<object>("{'k': 2.5}"));
        Assert.StartsWith("result: module has no .NET form", await Failure<object>("__import__('os')"));
        Assert.StartsWith("result[1]: function has no .NET form", await Failure<List<object>>("[1, lambda: 0]"));
    }

    [Fact]
    public async Task The_interpreter_keeps_serving_after_conversion_failures()
    {
        await Failure<int>("'x'");
        await Failure<Order>("{'id': 'no'}");
        var result = await fixture.Executor.ExecuteAsync(new PythonRequest { Code = "v = 1 + 1" });
        Assert.Equal(2L, result.Values["v"]);
    }
}

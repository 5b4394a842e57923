namespace EmbeddedPython.Tests.Marshalling;

[Collection(PythonCollection.Name)]
public sealed class BufferTests(PythonFixture fixture)
{
    private Task<T> Convert<T>(string expression) => OnInterpreter.FromPythonAsync<T>(fixture.Executor, expression);

    private Task<object?> Inspect(object? value, string inspect) => OnInterpreter.InspectAsync(fixture.Executor, value, inspect);

    private async Task<string> Failure<T>(string expression) =>
        (await Assert.ThrowsAsync<PythonConversionException>(() => Convert<T>(expression))).Message;

    private const string Describe = "lambda v: [type(v).__name__, memoryview(v).format, memoryview(v).itemsize, list(memoryview(v).shape), memoryview(v).tolist()]";

    [Fact]
    public async Task Dotnet_arrays_of_primitive_numbers_reach_python_as_memoryviews_with_the_right_format()
    {
        Assert.Equal(new List<object?> { "memoryview", "d", 8L, new List<object?> { 3L }, new List<object?> { 1.5, -2.0, 3.25 } }, await Inspect(new[] { 1.5, -2.0, 3.25 }, Describe));
        Assert.Equal(new List<object?> { "memoryview", "i", 4L, new List<object?> { 2L }, new List<object?> { 1L, -7L } }, await Inspect(new[] { 1, -7 }, Describe));
        Assert.Equal(new List<object?> { "memoryview", "Q", 8L, new List<object?> { 1L }, new List<object?> { (System.Numerics.BigInteger)ulong.MaxValue } }, await Inspect(new[] { ulong.MaxValue }, Describe));
        Assert.Equal(new List<object?> { "memoryview", "?", 1L, new List<object?> { 2L }, new List<object?> { true, false } }, await Inspect(new[] { true, false }, Describe));
        Assert.Equal(new List<object?> { "memoryview", "h", 2L, new List<object?> { 2L, 3L }, new List<object?> { new List<object?> { 1L, 2L, 3L }, new List<object?> { 4L, 5L, 6L } } },
            await Inspect(new short[,] { { 1, 2, 3 }, { 4, 5, 6 } }, Describe));
        Assert.Equal(new List<object?> { "memoryview", "f", 4L, new List<object?> { 2L }, new List<object?> { 2.5, 3.5 } }, await Inspect(new ReadOnlyMemory<float>([1.5f, 2.5f, 3.5f]).Slice(1), Describe));
        Assert.Equal(new List<object?> { "memoryview", "q", 8L, new List<object?> { 0L }, new List<object?>() }, await Inspect(Array.Empty<long>(), Describe));
        // byte[] stays bytes (DESIGN §4), which has the buffer protocol too.
        Assert.Equal(new List<object?> { "bytes", "B", 1L, new List<object?> { 2L }, new List<object?> { 1L, 255L } }, await Inspect(new byte[] { 1, 255 }, Describe));
    }

    [Fact]
    public async Task A_buffer_owns_its_copy_so_changing_either_side_afterwards_changes_nothing_on_the_other()
    {
        var data = new[] { 1.0, 2.0 };
        var view = await Inspect(data, "lambda v: __import__('builtins').setattr(__import__('builtins'), '_typed_test_view', v)");
        Assert.Null(view);
        data[0] = 99;
        GC.Collect();
        Assert.Equal(new List<object?> { 1.0, 2.0 }, await Inspect(null, "lambda _: __import__('builtins').__dict__.pop('_typed_test_view').tolist()"));
    }

    [Fact]
    public async Task Python_buffers_convert_to_arrays_with_one_copy_and_keep_their_shape()
    {
        Assert.Equal(new[] { 1.5, 2.5 }, await Convert<double[]>("__import__('array').array('d', [1.5, 2.5])"));
        Assert.Equal(new[] { 1, -2 }, await Convert<int[]>("memoryview(__import__('array').array('i', [1, -2]))"));
        Assert.Equal(new byte[] { 7, 8 }, await Convert<byte[]>("bytearray([7, 8])"));
        Assert.Equal(new byte[] { 1, 2 }, await Convert<byte[]>("memoryview(b'\\x01\\x02')"));
        var grid = await Convert<PythonBuffer<int>>("memoryview(__import__('array').array('i', range(6))).cast('B').cast('i', [2, 3])");
        Assert.Equal(new[] { 2, 3 }, grid.Shape);
        Assert.Equal(new[] { 0, 1, 2, 3, 4, 5 }, grid.Data.ToArray());
        var fromList = await Convert<PythonBuffer<double>>("[1.0, 2]");
        Assert.Equal(new[] { 2 }, fromList.Shape);
        Assert.Equal(new[] { 1.0, 2.0 }, fromList.Data.ToArray());
        Assert.Equal(new[] { 3.0, 4.0 }, await Convert<double[]>("[3.0, 4]"));
    }

    [Fact]
    public async Task A_buffer_of_another_element_type_or_not_contiguous_is_an_error()
    {
        Assert.Equal("result: array.array is not a double[]: its buffer holds format 'f' items of 4 bytes, not double",
            await Failure<double[]>("__import__('array').array('f', [1.5])"));
        Assert.Equal("result: bytes is not a int[]: its buffer holds format 'B' items of 1 bytes, not int", await Failure<int[]>("b'abcd'"));
        Assert.StartsWith("result: memoryview is not a PythonBuffer<double>: its buffer cannot be read as one C-contiguous block",
            await Failure<PythonBuffer<double>>("memoryview(__import__('array').array('d', [1.0, 2.0, 3.0]))[::2]"));
        Assert.Equal("result: int is not a PythonBuffer<double>", await Failure<PythonBuffer<double>>("5"));
    }

    [Fact]
    public async Task Typed_arguments_become_tuples_dictionaries_with_typed_keys_and_enum_values()
    {
        Assert.Equal("(1, 'a')", await Inspect((1, "a"), "repr"));
        Assert.Equal("{1: 'x', 2: 'y'}", await Inspect(new Dictionary<int, string> { [1] = "x", [2] = "y" }, "repr"));
        Assert.Equal("[3, (True, None)]", await Inspect(new object?[] { DayOfWeek.Wednesday, (true, (string?)null) }, "repr"));
        Assert.Equal("{'Name': 'n', 'Count': 3}", await Inspect(new ConversionTests.Poco("n", 3), "repr"));
    }
}

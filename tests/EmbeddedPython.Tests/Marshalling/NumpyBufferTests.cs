namespace EmbeddedPython.Tests.Marshalling;

/// <summary>
/// Buffers against real numpy arrays. numpy is there for Debian's Python (python3-numpy): run these with
/// EMBEDDEDPYTHON_LIBPYTHON=/usr/lib/x86_64-linux-gnu/libpython3.11.so.1.0 (scripts/test.sh does); elsewhere
/// they are skipped, saying so.
/// </summary>
[Collection(PythonCollection.Name)]
public sealed class NumpyBufferTests(PythonFixture fixture)
{
    private async Task RequireNumpy()
    {
        var result = await fixture.Executor.ExecuteAsync(new PythonRequest { Code = "import importlib.util\nfound = importlib.util.find_spec('numpy') is not None", LimitReturnTo = ["found"] });
        Skip.IfNot(result.Get<bool>("found"), "numpy is not installed for this Python; run with EMBEDDEDPYTHON_LIBPYTHON=/usr/lib/x86_64-linux-gnu/libpython3.11.so.1.0 (python3-numpy)");
    }

    private Task<T> Convert<T>(string expression) => OnInterpreter.FromPythonAsync<T>(fixture.Executor, expression);

    private Task<T> Inspect<T>(object? value, string inspect) => OnInterpreter.InspectAsync<T>(fixture.Executor, value, inspect);

    [SkippableFact]
    public async Task A_dotnet_double_array_becomes_a_float64_numpy_array_without_another_copy()
    {
        await RequireNumpy();
        var data = Enumerable.Range(0, 1_000_000).Select(i => i * 0.5).ToArray();
        var (dtype, sum, ownsData) = await Inspect<(string, double, bool)>(data,
            "lambda v: (lambda a: (str(a.dtype), float(a.sum()), bool(a.flags.owndata)))(__import__('numpy').asarray(v))");
        Assert.Equal("float64", dtype);
        Assert.Equal(data.Sum(), sum);
        Assert.False(ownsData); // numpy reads the view's memory in place
        var grid = await Inspect<int[]>(new long[,] { { 1, 2, 3 }, { 4, 5, 6 } }, "lambda v: list(__import__('numpy').asarray(v).shape)");
        Assert.Equal(new[] { 2, 3 }, grid);
    }

    [SkippableFact]
    public async Task Numpy_arrays_convert_to_dotnet_arrays_of_their_element_type_with_their_shape()
    {
        await RequireNumpy();
        Assert.Equal(new[] { 0.0, 0.25, 0.5, 0.75 }, await Convert<double[]>("__import__('numpy').arange(4) / 4"));
        Assert.Equal(new[] { 0L, 1L, 2L }, await Convert<long[]>("__import__('numpy').arange(3, dtype='int64')"));
        Assert.Equal(new[] { true, false }, await Convert<bool[]>("__import__('numpy').array([True, False])"));
        var matrix = await Convert<PythonBuffer<float>>("__import__('numpy').arange(6, dtype='float32').reshape(2, 3)");
        Assert.Equal(new[] { 2, 3 }, matrix.Shape);
        Assert.Equal(new[] { 0f, 1, 2, 3, 4, 5 }, matrix.Data.ToArray());
        Assert.Equal(5, await Convert<int>("__import__('numpy').int64(5)"));
        Assert.Equal(1.5, await Convert<double>("__import__('numpy').float64(1.5)"));
        Assert.Equal(new List<int> { 1, 2 }, await Convert<List<int>>("__import__('numpy').array([1, 2]).tolist()"));
    }

    [SkippableFact]
    public async Task A_numpy_array_of_another_dtype_or_not_c_contiguous_is_an_error()
    {
        await RequireNumpy();
        var wrongType = await Assert.ThrowsAsync<PythonConversionException>(() => Convert<double[]>("__import__('numpy').arange(3, dtype='int32')"));
        Assert.Equal("result: numpy.ndarray is not a double[]: its buffer holds format 'i' items of 4 bytes, not double", wrongType.Message);
        var strided = await Assert.ThrowsAsync<PythonConversionException>(() => Convert<PythonBuffer<double>>("__import__('numpy').zeros((3, 4))[:, ::2]"));
        Assert.StartsWith("result: numpy.ndarray is not a PythonBuffer<double>: its buffer cannot be read as one C-contiguous block", strided.Message);
        var transposed = await Assert.ThrowsAsync<PythonConversionException>(() => Convert<double[]>("__import__('numpy').zeros((3, 4)).T"));
        Assert.StartsWith("result: numpy.ndarray is not a double[]: its buffer cannot be read", transposed.Message);
    }

    [SkippableFact]
    public async Task A_million_doubles_round_trip_through_numpy()
    {
        await RequireNumpy();
        var data = Enumerable.Range(0, 1_000_000).Select(i => (double)i).ToArray();
        var doubled = await Inspect<double[]>(data, "lambda v: __import__('numpy').asarray(v) * 2");
        Assert.Equal(data.Length, doubled.Length);
        Assert.Equal(1_999_998.0, doubled[^1]);
    }
}

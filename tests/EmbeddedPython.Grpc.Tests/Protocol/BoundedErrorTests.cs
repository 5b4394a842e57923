using EmbeddedPython.Grpc.Protocol;
using EmbeddedPython.Grpc.Tests.Infrastructure;
using EmbeddedPython.Grpc.V1;
using Grpc.Core;
using ExecutorClient = EmbeddedPython.Grpc.V1.PythonExecutor.PythonExecutorClient;

namespace EmbeddedPython.Grpc.Tests.Protocol;

/// <summary>Errors whose texts are huge (a 200,000-character source line, a long message, a long chain of
/// causes) reach the client readable: status message and details are bounded and say what was cut.</summary>
[Collection(PythonCollection.Name)]
public sealed class BoundedErrorTests(SharedPython python) : IAsyncLifetime
{
    // gRPC C-core clients refuse trailers above 8 KB by default; ours must stay well below.
    private const int ClientTrailerLimit = 8 * 1024;

    private readonly CodeDirectory _code = new();
    private GrpcTestServer _server = null!;
    private ExecutorClient _client = null!;

    public async Task InitializeAsync()
    {
        _code.With("calc.py", "def add(a, b):\n    return a + b\n");
        // The traceback quotes the failing line of a file.
        _code.With("long_line.py", "def divide():\n    return 1 / 0 if '" + new string('a', 200_000) + "' else 0\n");
        _server = await GrpcTestServer.StartAsync(python.Executor, o => o.CodeDirectory = _code.Path);
        _client = new ExecutorClient(_server.Channel);
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _code.Dispose();
    }

    // Cases by name: test names carrying 200,000-character requests would be unreadable.
    private static readonly Dictionary<string, (ExecuteRequest Request, StatusCode Expected)> Cases = new()
    {
        ["a 200,000-character line of parentheses"] = (new ExecuteRequest { Code = new string('(', 200_000) }, StatusCode.InvalidArgument),
        ["a syntax error at the end of a long line"] = (new ExecuteRequest { Code = "x = [" + string.Concat(Enumerable.Repeat("1, ", 70_000)) + "+]" }, StatusCode.InvalidArgument),
        ["a long non-ASCII message"] = (new ExecuteRequest { Code = "raise ValueError('é😀' * 100_000)" }, StatusCode.Unknown),
        ["a runtime error on a long source line"] = (new ExecuteRequest { EntryPoint = new EntryPoint { File = "long_line.py", Function = "divide" } }, StatusCode.Unknown),
        ["a long chain of causes"] = (new ExecuteRequest { Code = Python.Source("""
            def nest(n):
                try:
                    if n == 0:
                        raise KeyError('k' * 5000)
                    nest(n - 1)
                except Exception as e:
                    raise ValueError(str(n) * 5000) from e
            nest(150)
            """) }, StatusCode.Unknown),
        ["a long failure reported by the code"] = (new ExecuteRequest { Code = "import embedded_python\nembedded_python.fail('x' * 200_000)", CodeHandlesReturn = true }, StatusCode.Unknown),
        ["a long entry point file name"] = (new ExecuteRequest { EntryPoint = new EntryPoint { File = new string('f', 200_000) + ".txt", Function = "add" } }, StatusCode.InvalidArgument),
        ["a long missing entry point file"] = (new ExecuteRequest { EntryPoint = new EntryPoint { File = new string('f', 200_000) + ".py", Function = "add" } }, StatusCode.NotFound),
        ["a long request id"] = (new ExecuteRequest { RequestId = new string('r', 100_000), Code = "1 / 0" }, StatusCode.Unknown),
    };

    public static TheoryData<string> HugeErrors => [.. Cases.Keys];

    [Theory]
    [MemberData(nameof(HugeErrors))]
    public async Task A_huge_error_reaches_the_unary_client_bounded_and_marked_as_cut(string what)
    {
        var (request, expected) = Cases[what];
        var error = await Assert.ThrowsAsync<RpcException>(() => _client.ExecuteAsync(request).ResponseAsync);

        AssertReadableAndBounded(what, error, expected);
    }

    [Theory]
    [MemberData(nameof(HugeErrors))]
    public async Task A_huge_error_reaches_the_streaming_client_bounded_and_marked_as_cut(string what)
    {
        var (request, expected) = Cases[what];
        using var call = _client.ExecuteStream(request);
        var error = await Assert.ThrowsAsync<RpcException>(async () =>
        {
            await foreach (var _ in call.ResponseStream.ReadAllAsync())
            {
            }
        });

        AssertReadableAndBounded(what, error, expected);
    }

    [Fact]
    public async Task A_short_error_is_not_cut()
    {
        var error = await Assert.ThrowsAsync<RpcException>(() => _client.ExecuteAsync(new ExecuteRequest { Code = "raise ValueError('short')" }).ResponseAsync);

        Assert.Equal("ValueError: short", error.Status.Detail);
        var detail = error.GetRpcStatus()!.GetDetail<PythonError>();
        Assert.Equal("short", detail.Message);
        Assert.DoesNotContain("[cut:", detail.Traceback);
        Assert.EndsWith("ValueError: short", detail.Traceback.TrimEnd());
    }

    private static void AssertReadableAndBounded(string what, RpcException error, StatusCode expected)
    {
        Assert.True(error.StatusCode == expected, $"{what}: {error.StatusCode} ({error.Status.Detail})");
        Assert.InRange(error.Status.Detail.Length, 1, ErrorStatus.MaxMessageLength);
        var trailerBytes = error.Trailers.Sum(t => t.Key.Length + (t.IsBinary ? (t.ValueBytes.Length + 2) / 3 * 4 : System.Text.Encoding.UTF8.GetByteCount(t.Value)));
        Assert.True(trailerBytes < ClientTrailerLimit, $"{what}: trailers of {trailerBytes} bytes");
        var texts = new List<string> { error.Status.Detail };
        if (error.GetRpcStatus() is { Details: [var packed, ..] } status && packed.Is(PythonError.Descriptor))
        {
            var detail = status.GetDetail<PythonError>();
            Assert.InRange(packed.Value.Length, 1, ErrorStatus.MaxDetailBytes);
            Assert.NotEmpty(detail.Type);
            texts.Add(detail.Message);
            texts.Add(detail.Traceback);
            texts.Add(detail.RequestId);
        }
        Assert.Contains(texts, t => t.Contains(" characters] … ", StringComparison.Ordinal) && t.Contains("[cut: ", StringComparison.Ordinal));
    }
}

using EmbeddedPython.Benchmarks.Baselines;

namespace EmbeddedPython.Benchmarks.Setup;

/// <summary>The Python every scenario runs, shared by the executor and its baselines.</summary>
internal static class Workloads
{
    public const string Double = "y = x * 2";

    /// <summary>Requests an async caller awaits one after another in one benchmark invocation.</summary>
    public const int Sequential = 100;

    /// <summary>The 10-key mixed dict of embedding.md §2.</summary>
    public const string MixedDict =
        "d = {'i': 42, 'f': 3.5, 's': 'hello world', 'b': True, 'n': None, 'big': 2**70, 'by': b'abc\\x00', "
        + "'l': [1, 2.5, 'x'], 't': (1, 'a'), 'm': {'k': 1, 'j': [None]}}";

    /// <summary>Builds the large values once in a module, so that returning them measures conversion and
    /// transport, not their construction.</summary>
    public const string LargeValuesModule = """
        import sys, types
        bench_data = types.ModuleType("bench_data")
        bench_data.bytes_1mb = bytes(range(256)) * 4096
        bench_data.int_list_100k = list(range(100_000))
        bench_data.dict_10k = {f"k{i}": i for i in range(10_000)}
        sys.modules["bench_data"] = bench_data
        """;

    /// <summary>The memory limit of the limited variants: far above what the scenarios use, so only its accounting is measured.</summary>
    public const long OneGigabyte = 1024L * 1024 * 1024;

    public const int StreamedMessages = 100_000;

    public const string StreamThroughModule = """
        import embedded_python
        for i in range(100_000):
            embedded_python.emit(i)
        embedded_python.complete()
        """;

    public const string StreamThroughHandle = """
        import embedded_python
        request = embedded_python.current_request()
        for i in range(100_000):
            request.emit(i)
        request.complete()
        """;

    public const string StreamFromWorker = """
        for i in range(100_000):
            emit(i)
        """;

    public static readonly IReadOnlyDictionary<string, object?> X21 = new Dictionary<string, object?> { ["x"] = 21L };
    public static readonly IReadOnlyList<string> ReturnY = ["y"];
    public static readonly IReadOnlyList<string> ReturnD = ["d"];

    /// <summary>The suite's Python modules (Python/), on the executor's and Python.NET's sys.path.</summary>
    public static string PythonFolder => Path.Combine(AppContext.BaseDirectory, "Python");

    /// <summary>Starts an executor with default options and checks it runs the same Python as the baselines.</summary>
    public static PythonExecutor StartExecutor(Action<PythonExecutorOptions>? configure = null)
    {
        ClaimPython("the executor");
        var options = new PythonExecutorOptions { SearchPaths = { PythonFolder } };
        configure?.Invoke(options);
        var executor = new PythonExecutor(options);
        executor.WaitUntilStartedAsync().GetAwaiter().GetResult();
        if (executor.PythonVersion?.StartsWith(PythonCommand.Version + " ", StringComparison.Ordinal) != true)
            throw new InvalidOperationException($"The executor loaded Python {executor.PythonVersion}, the baselines run {PythonCommand.Version}.");
        ExpectBaselineLibrary(executor.CallAsync<string>("bench_identity", "loaded_libpython").GetAwaiter().GetResult(), "the executor");
        return executor;
    }

    private static string? s_pythonOwner;

    /// <summary>CPython initialises once per process: the executor and Python.NET must never both start it in one
    /// (BenchmarkDotNet's process per benchmark keeps them apart; an in-process toolchain would not).</summary>
    public static void ClaimPython(string owner)
    {
        if (Interlocked.CompareExchange(ref s_pythonOwner, owner, null) is { } other && other != owner)
            throw new InvalidOperationException($"{owner} cannot start CPython in this process: {other} already did (run out of process).");
    }

    /// <summary>Fails the run unless the libpython mapped into the process is the one the baselines run.</summary>
    public static void ExpectBaselineLibrary(string loaded, string what)
    {
        var expected = File.ResolveLinkTarget(PythonCommand.Library, returnFinalTarget: true)?.FullName ?? PythonCommand.Library;
        if (loaded != expected)
            throw new InvalidOperationException($"{what} runs {(loaded.Length > 0 ? loaded : "no libpython")}, the baselines run {expected}.");
    }

    /// <summary>Fails the run when a path returns the wrong value, so that no figure comes from broken work.</summary>
    public static void Expect(object? actual, object? expected, string what)
    {
        if (!Equals(actual, expected))
            throw new InvalidOperationException($"{what} returned {actual ?? "null"}, expected {expected ?? "null"}.");
    }
}

using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using EmbeddedPython.Benchmarks.Baselines;
using EmbeddedPython.Benchmarks.Setup;
using EmbeddedPython.Vantiq;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace EmbeddedPython.Benchmarks.Scenarios;

/// <summary>
/// The Vantiq adapter against Vantiq's own Python connector (pythonExecSource), both connected over a real
/// websocket to the same fake Vantiq server in this process. The query is a cached one: code compiled once
/// under a name, then run by name with a preset, returning one global (<c>y = x * 2</c>, <c>limitReturnTo</c>).
/// Round trip: the server sends a query and awaits its reply, 100 in a row. Queries/s: 64 in flight at once,
/// four rounds. Each process starts only its own connector; the original's rows fail setup with the reason
/// when <see cref="VantiqOriginalConnector.FolderVariable"/> is not set.
/// </summary>
[Config(typeof(SteadyStateConfig))]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class VantiqBenchmarks
{
    private const string Prime = """{"name": "double", "code": "y = x * 2", "presetValues": {"x": 21}, "limitReturnTo": ["y"]}""";
    private const string Cached = """{"name": "double", "presetValues": {"x": 21}, "limitReturnTo": ["y"]}""";
    private const string Expected = """{"pythonCallResults": {"y": 42}}""";
    private const int InFlight = 64;
    private const int Rounds = 4;
    private static readonly TimeSpan s_connectTimeout = TimeSpan.FromSeconds(30);

    private VantiqFakeServer _server = null!;
    private PythonExecutor? _executor;
    private VantiqConnectorService? _service;
    private VantiqOriginalConnector? _original;
    private VantiqFakeServer.Session _session = null!;

    [GlobalSetup(Targets = [nameof(Embedded_round_trip), nameof(Embedded_in_flight)])]
    public void SetupEmbedded()
    {
        _server = VantiqFakeServer.StartAsync().GetAwaiter().GetResult();
        _executor = Workloads.StartExecutor();
        var options = new VantiqConnectorOptions
        {
            TargetServer = _server.BaseUri.ToString(),
            AuthToken = VantiqFakeServer.Token,
            Sources = ["embedded"],
            TcpProbeAddress = "127.0.0.1",
            TcpProbePort = 0,
            DeclareHealthyAtStart = false,
        };
        _service = new VantiqConnectorService(_executor, Options.Create(options), NullLoggerFactory.Instance);
        _service.StartAsync(CancellationToken.None).GetAwaiter().GetResult();
        Connect("embedded");
    }

    [GlobalSetup(Targets = [nameof(Original_round_trip), nameof(Original_in_flight)])]
    public void SetupOriginal()
    {
        var folder = VantiqOriginalConnector.Folder(out var reason) ?? throw new InvalidOperationException(reason);
        _server = VantiqFakeServer.StartAsync().GetAwaiter().GetResult();
        _original = VantiqOriginalConnector.Start(folder, _server.BaseUri, VantiqFakeServer.Token, "original");
        Connect("original");
    }

    private void Connect(string source)
    {
        _session = _server.SessionAsync(source, s_connectTimeout).GetAwaiter().GetResult();
        Workloads.Expect(_session.QueryAsync(Prime).GetAwaiter().GetResult(), Expected, source + " (first query)");
        Workloads.Expect(_session.QueryAsync(Cached).GetAwaiter().GetResult(), Expected, source + " (cached query)");
        ReportProcessorTime(source);
    }

    /// <summary>Where the time goes, whatever the machine's load: processor time per sequential query of this
    /// process (the fake server and the client, plus the embedded connector when it runs here) and of the
    /// original's process. The embedded connector's own share is this process's figure minus the one of the
    /// original's run, whose process holds only the server and the client.</summary>
    private void ReportProcessorTime(string source)
    {
        const int queries = 2000;
        using var self = System.Diagnostics.Process.GetCurrentProcess();
        var selfBefore = self.TotalProcessorTime;
        var otherBefore = _original?.ProcessorTime ?? TimeSpan.Zero;
        var wall = System.Diagnostics.Stopwatch.StartNew();
        for (var i = 0; i < queries; i++)
            _session.QueryAsync(Cached).GetAwaiter().GetResult();
        wall.Stop();
        self.Refresh();
        var selfPerQuery = (self.TotalProcessorTime - selfBefore).TotalMicroseconds / queries;
        var otherPerQuery = ((_original?.ProcessorTime ?? TimeSpan.Zero) - otherBefore).TotalMicroseconds / queries;
        Console.WriteLine(FormattableString.Invariant(
            $"// Vantiq {source}: processor time per query {selfPerQuery:F0} µs in this process, {otherPerQuery:F0} µs in the original's; wall {wall.Elapsed.TotalMicroseconds / queries:F0} µs"));
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        if (_service is not null)
        {
            _service.StopAsync(CancellationToken.None).GetAwaiter().GetResult();
            _service.Dispose();
        }
        _original?.Dispose();
        _server?.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _executor?.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }

    [BenchmarkCategory("Cached query round trip"), Benchmark(OperationsPerInvoke = Workloads.Sequential, Baseline = true, Description = "Vantiq pythonExecSource")]
    public Task<int> Original_round_trip() => Sequential();

    [BenchmarkCategory("Cached query round trip"), Benchmark(OperationsPerInvoke = Workloads.Sequential, Description = "EmbeddedPython.Vantiq")]
    public Task<int> Embedded_round_trip() => Sequential();

    [BenchmarkCategory("64 queries in flight"), Benchmark(OperationsPerInvoke = InFlight * Rounds, Baseline = true, Description = "Vantiq pythonExecSource")]
    public Task<int> Original_in_flight() => Concurrent();

    [BenchmarkCategory("64 queries in flight"), Benchmark(OperationsPerInvoke = InFlight * Rounds, Description = "EmbeddedPython.Vantiq")]
    public Task<int> Embedded_in_flight() => Concurrent();

    private async Task<int> Sequential()
    {
        var length = 0;
        for (var i = 0; i < Workloads.Sequential; i++)
            length += (await _session.QueryAsync(Cached).ConfigureAwait(false)).Length;
        return length;
    }

    private async Task<int> Concurrent()
    {
        var length = 0;
        var queries = new Task<string>[InFlight];
        for (var round = 0; round < Rounds; round++)
        {
            for (var i = 0; i < InFlight; i++)
                queries[i] = _session.QueryAsync(Cached);
            foreach (var reply in await Task.WhenAll(queries).ConfigureAwait(false))
                length += reply.Length;
        }
        return length;
    }
}

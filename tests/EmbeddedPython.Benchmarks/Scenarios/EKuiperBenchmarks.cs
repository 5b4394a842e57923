using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using EmbeddedPython.Benchmarks.Baselines;
using EmbeddedPython.Benchmarks.Setup;
using EmbeddedPython.EKuiper;
using EmbeddedPython.EKuiper.Protocol.Nng;
using EmbeddedPython.EKuiper.Tests.FakeEKuiper;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace EmbeddedPython.Benchmarks.Scenarios;

/// <summary>
/// Scenario 10: an eKuiper portable plugin (<c>Baselines/EKuiperPlugin</c>, written against the SDK) run by the
/// EmbeddedPython host in this process and, as the baseline, by eKuiper's own Python SDK in a child python3,
/// each behind its own fake eKuiper (the test project's, over real nng ipc sockets). Sink with ack: eKuiper sends
/// a message and waits for its ack before the next (<c>requireAck: true</c>), so this is a round trip per message.
/// Source emit: a rule starts a source that emits as fast as eKuiper reads, the tuples are read, the rule stops.
/// The jobs of <see cref="SteadyStateConfig"/> run in the benchmark process (<see cref="InProcessConfig"/>).
/// </summary>
[Config(typeof(EKuiperBenchmarks.InProcessConfig))]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class EKuiperBenchmarks
{
    private const int AckedMessages = 200;
    private const int Tuples = 2000;
    private const string Sink = "sink with ack";
    private const string Source = "source emit";

    private static readonly byte[] Message = "[{\"name\":\"pyjson\",\"value\":2021}]"u8.ToArray();

    private IHost? _host;
    private EKuiperSdkPlugin? _sdk;
    private EKuiperSide _side = null!;
    private FakeSourcePeer? _floorPull;
    private NngSocket? _floorPush;

    private static readonly byte[] Tuple = "{\"message\": {\"seq\": 1234}, \"meta\": null}"u8.ToArray();

    [GlobalSetup(Targets = [nameof(Host_sink_with_ack), nameof(Host_source_emit)])]
    public void SetupHost()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddEKuiperPluginHost(options =>
        {
            options.Plugins.Add(EKuiperSdkPlugin.Script);
            options.Arguments.Add("{\"sendTimeout\":1000}");
            options.Arguments.Add("ekbench");
        });
        _side = new EKuiperSide("ekbench", "bh");
        _host = builder.Build();
        _host.StartAsync().GetAwaiter().GetResult();
        _side.Connect("the EmbeddedPython host");
    }

    [GlobalSetup(Targets = [nameof(Sdk_sink_with_ack), nameof(Sdk_source_emit)])]
    public void SetupSdk()
    {
        _side = new EKuiperSide("ekbenchsdk", "bs");
        _sdk = EKuiperSdkPlugin.Start("ekbenchsdk");
        _side.Connect("eKuiper's Python SDK");
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _floorPush?.Dispose();
        _floorPull?.Dispose();
        _side.Dispose();
        _sdk?.Dispose();
        if (_host is not null)
        {
            _host.StopAsync().GetAwaiter().GetResult();
            _host.Dispose();
        }
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = AckedMessages, Description = "eKuiper Python SDK (python3 + libnng)")]
    [BenchmarkCategory(Sink)]
    public int Sdk_sink_with_ack() => _side.SinkRound(AckedMessages);

    [Benchmark(OperationsPerInvoke = AckedMessages, Description = "EmbeddedPython.EKuiper host")]
    [BenchmarkCategory(Sink)]
    public int Host_sink_with_ack() => _side.SinkRound(AckedMessages);

    [Benchmark(Baseline = true, OperationsPerInvoke = Tuples, Description = "eKuiper Python SDK (python3 + libnng)")]
    [BenchmarkCategory(Source)]
    public int Sdk_source_emit() => _side.SourceRound(Tuples);

    [Benchmark(OperationsPerInvoke = Tuples, Description = "EmbeddedPython.EKuiper host")]
    [BenchmarkCategory(Source)]
    public int Host_source_emit() => _side.SourceRound(Tuples);

    /// <summary>The floor both rows share: the same tuples pushed by a .NET thread through libnng, no Python.</summary>
    [Benchmark(OperationsPerInvoke = Tuples, Description = "floor: .NET pushing the tuples, no plugin")]
    [BenchmarkCategory(Source)]
    public int Floor_source_emit()
    {
        var pushed = Task.Run(() =>
        {
            for (var i = 0; i < Tuples; i++)
                _floorPush!.Send(Tuple);
        });
        var bytes = 0;
        for (var i = 0; i < Tuples; i++)
            bytes += _floorPull!.Receive().Length;
        pushed.GetAwaiter().GetResult();
        return bytes;
    }

    [GlobalSetup(Target = nameof(Floor_source_emit))]
    public void SetupFloor()
    {
        _side = new EKuiperSide("ekbenchfloor", "bf");
        _floorPull = new FakeSourcePeer("bf", "floor", 0);
        _floorPush = NngSocket.Open(NngProtocol.Push);
        _floorPush.SendTimeout = TimeSpan.FromSeconds(5);
        _floorPush.Dial("ipc:///tmp/bf_floor_0.ipc");
    }

    /// <summary>The steady-state jobs, run in this process: the host runs in it anyway (one host per benchmark,
    /// leases on the one CPython), the SDK in its child; and it spares the generated project's build, which took
    /// longer than BenchmarkDotNet's 10-minute build limit on the shared 2-core machine.</summary>
    public sealed class InProcessConfig : ManualConfig
    {
        public InProcessConfig()
        {
            var steady = new SteadyStateConfig();
            foreach (var job in steady.GetJobs())
                AddJob(job.WithToolchain(InProcessEmitToolchain.Instance));
            foreach (var diagnoser in steady.GetDiagnosers())
                AddDiagnoser(diagnoser);
        }
    }

    /// <summary>The fake eKuiper of one plugin, with one running sink (requireAck) and a source listener.</summary>
    private sealed class EKuiperSide(string plugin, string rule) : IDisposable
    {
        private readonly FakeEKuiper _ekuiper = new(plugin);
        private readonly FakeSinkPeer _sink = new(rule, "acker_0", 0);
        private readonly FakeSourcePeer _source = new(rule, "counter", 0);

        public void Connect(string what)
        {
            Workloads.Expect(_ekuiper.WaitForHandshake(TimeSpan.FromSeconds(60)), "handshake", what);
            Workloads.Expect(_ekuiper.Start("acker", "sink", rule, "acker_0", 0, new { requireAck = true }), "ok", what + " (sink start)");
            _sink.Connect();
            _sink.Send(Message);
            Workloads.Expect(_sink.ReceiveAck(), "{}", what + " (ack)");
            Workloads.Expect(SourceRound(1), 37, what + " (source tuple length)");
        }

        public int SinkRound(int count)
        {
            var acks = 0;
            for (var i = 0; i < count; i++)
            {
                _sink.Send(Message);
                acks += _sink.ReceiveAck().Length;
            }
            return acks;
        }

        public int SourceRound(int count)
        {
            var config = new { count };
            Expect(_ekuiper.Start("counter", "source", rule, "counter", 0, config));
            var bytes = 0;
            for (var i = 0; i < count; i++)
                bytes += _source.Receive().Length;
            Expect(_ekuiper.Stop("counter", "source", rule, "counter", 0, config));
            return bytes;
        }

        private static void Expect(string reply)
        {
            if (reply != "ok")
                throw new InvalidOperationException($"the plugin replied {reply}");
        }

        public void Dispose()
        {
            _sink.Dispose();
            _source.Dispose();
            _ekuiper.Dispose();
        }
    }
}

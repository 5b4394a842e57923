using System.Diagnostics;
using System.Text;
using BenchmarkDotNet.Attributes;
using EmbeddedPython.Benchmarks.Baselines;
using EmbeddedPython.Benchmarks.Setup;
using EmbeddedPython.WasmCloud;
using EmbeddedPython.WasmCloud.Hosting;
using EmbeddedPython.WasmCloud.Wire;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace EmbeddedPython.Benchmarks.Scenarios;

/// <summary>
/// wasmCloud (issue 14): signed invocations of the original example's <c>factorial(10)</c> over one real
/// nats-server, claims verified, answered by this adapter (AddWasmCloudProvider in this process) and by a
/// plain-Python provider (<c>Baselines/WasmCloudPythonProvider.py</c>, its own process), each on its own
/// lattice prefix. Both run the same CPython: the baseline's <c>python3</c>
/// (<c>EMBEDDEDPYTHON_WASMCLOUD_PYTHON</c>, default Debian's <c>/usr/bin/python3</c>, which has
/// python3-msgpack, python3-cbor2 and python3-cryptography) and its libpython for the executor.
/// Sequential: one caller awaits each reply before sending the next. In flight: 64 callers at once.
/// </summary>
[Config(typeof(SteadyStateConfig))]
public class WasmCloudBenchmarks
{
    private const int InFlight = 64;
    private const int CallsPerCaller = 10;
    private const int PoolSize = 12_000;
    private static readonly byte[] Factorial10 = CborValues.Encode(3628800L);

    private WasmCloudLattice _lattice = null!;
    private IHost _host = null!;
    private Process _python = null!;
    private readonly StringBuilder _pythonErrors = new();
    private HostData _ours = null!;
    private HostData _theirs = null!;
    private InvocationPool _oursPool = null!;
    private InvocationPool _theirsPool = null!;

    [GlobalSetup]
    public void Setup() => SetupAsync().GetAwaiter().GetResult();

    private async Task SetupAsync()
    {
        var python = Environment.GetEnvironmentVariable("EMBEDDEDPYTHON_WASMCLOUD_PYTHON") is { Length: > 0 } chosen ? chosen : "/usr/bin/python3";
        var dispatch = Path.Combine(AppContext.BaseDirectory, "WasmCloud", "dispatch.py");
        _lattice = await WasmCloudLattice.StartAsync();
        _ours = _lattice.HostData("embedded");
        _theirs = _lattice.HostData("baseline");

        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddPythonExecutor(o => o.PythonLibrary = LibraryOf(python));
        builder.Services.AddWasmCloudProvider(o =>
        {
            o.HostData = _ours.ToBase64Line();
            o.PythonDispatch = dispatch;
            o.StopApplicationOnShutdown = false;
        });
        _host = builder.Build();
        await _host.StartAsync();

        var start = new ProcessStartInfo(python) { RedirectStandardInput = true, RedirectStandardError = true, Environment = { ["PYTHON_DISPATCH"] = dispatch } };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "WasmCloud", "WasmCloudPythonProvider.py"));
        _python = Process.Start(start)!;
        _python.ErrorDataReceived += (_, e) => { lock (_pythonErrors) _pythonErrors.AppendLine(e.Data); };
        _python.BeginErrorReadLine();
        await _python.StandardInput.WriteLineAsync(_theirs.ToBase64Line());
        await _python.StandardInput.FlushAsync();
        await _lattice.WaitUntilServingAsync(_theirs, () => { lock (_pythonErrors) return $"exited: {_python.HasExited}; stderr: {_pythonErrors}"; });
        await _lattice.WaitUntilServingAsync(_ours, () => "the adapter");

        _oursPool = new InvocationPool(_lattice.Invocations(_ours, "Python.factorial", 10L, PoolSize));
        _theirsPool = new InvocationPool(_lattice.Invocations(_theirs, "Python.factorial", 10L, PoolSize));
        Workloads.Expect(Convert.ToHexString(await _lattice.InvokeAsync(_ours, _oursPool.Next())), Convert.ToHexString(Factorial10), "the adapter");
        Workloads.Expect(Convert.ToHexString(await _lattice.InvokeAsync(_theirs, _theirsPool.Next())), Convert.ToHexString(Factorial10), "the Python provider");
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _python.Kill();
        _python.WaitForExit();
        _host.StopAsync().GetAwaiter().GetResult();
        _host.Dispose();
        _lattice.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }

    [Benchmark(OperationsPerInvoke = Workloads.Sequential, Description = "wasmCloud adapter, sequential")]
    public Task<int> Adapter_sequential() => SequentialAsync(_ours, _oursPool);

    [Benchmark(OperationsPerInvoke = Workloads.Sequential, Baseline = true, Description = "plain-Python provider, sequential")]
    public Task<int> Python_sequential() => SequentialAsync(_theirs, _theirsPool);

    [Benchmark(OperationsPerInvoke = InFlight * CallsPerCaller, Description = "wasmCloud adapter, 64 in flight")]
    public Task<int> Adapter_in_flight() => InFlightAsync(_ours, _oursPool);

    [Benchmark(OperationsPerInvoke = InFlight * CallsPerCaller, Description = "plain-Python provider, 64 in flight")]
    public Task<int> Python_in_flight() => InFlightAsync(_theirs, _theirsPool);

    private async Task<int> SequentialAsync(HostData provider, InvocationPool pool)
    {
        var length = 0;
        for (var i = 0; i < Workloads.Sequential; i++)
            length += (await _lattice.InvokeAsync(provider, pool.Next())).Length;
        return length;
    }

    private async Task<int> InFlightAsync(HostData provider, InvocationPool pool)
    {
        var callers = new Task<int>[InFlight];
        for (var c = 0; c < InFlight; c++)
            callers[c] = Caller();
        return (await Task.WhenAll(callers)).Sum();

        async Task<int> Caller()
        {
            var length = 0;
            for (var i = 0; i < CallsPerCaller; i++)
                length += (await _lattice.InvokeAsync(provider, pool.Next())).Length;
            return length;
        }
    }

    /// <summary>Signed invocations handed out in turn, wrapping around: by then a provider has forgotten their ids.</summary>
    private sealed class InvocationPool(byte[][] invocations)
    {
        private int _next;

        public byte[] Next() => invocations[(int)((uint)Interlocked.Increment(ref _next) % (uint)invocations.Length)];
    }

    /// <summary>The libpython of that interpreter, so the executor runs the same CPython as the baseline.</summary>
    private static string LibraryOf(string python)
    {
        var start = new ProcessStartInfo(python) { RedirectStandardOutput = true, ArgumentList = { "-c", "import os, sysconfig as s; print(os.path.join(s.get_config_var('LIBDIR'), s.get_config_var('INSTSONAME')))" } };
        using var process = Process.Start(start)!;
        var library = process.StandardOutput.ReadToEnd().Trim();
        process.WaitForExit();
        return File.Exists(library) ? library : throw new InvalidOperationException($"{python} has no shared libpython at '{library}'.");
    }
}

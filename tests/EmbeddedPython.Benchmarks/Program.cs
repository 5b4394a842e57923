using BenchmarkDotNet.Running;
using EmbeddedPython.Benchmarks.Setup;

// Full run:  dotnet run -c Release --project tests/EmbeddedPython.Benchmarks -- --filter '*'
// Quick run: dotnet run -c Release --project tests/EmbeddedPython.Benchmarks -- --quick --filter '*Cached*'
// Every other argument is BenchmarkDotNet's (--filter, --list flat, --join, ...).
RunSettings.Quick = args.Contains("--quick");
var artifacts = Environment.GetEnvironmentVariable("EMBEDDEDPYTHON_ARTIFACTS") is { Length: > 0 } root
    ? Path.Combine(root, "benchmark-results")
    : Path.Combine(Path.GetTempPath(), "EmbeddedPython.Benchmarks");
BenchmarkSwitcher.FromAssembly(typeof(RunSettings).Assembly)
    .Run([.. args.Where(a => a != "--quick")], RunSettings.Create(artifacts));

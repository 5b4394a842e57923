using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace EmbeddedPython.WasmCloud.Tests.Infrastructure;

/// <summary>What the lattice tests share: one nats-server and the process's one Python executor
/// (CPython initialises once per process).</summary>
public sealed class LatticeFixture : IAsyncLifetime
{
    public NatsServer Nats { get; private set; } = null!;

    public PythonExecutor Executor { get; } = new(new PythonExecutorOptions());

    private static readonly ConcurrentBag<string> Folders = [];

    public ILoggerFactory Logging { get; } = LoggerFactory.Create(builder => builder.AddSimpleConsole().SetMinimumLevel(LogLevel.Warning));

    public async Task InitializeAsync()
    {
        Nats = await NatsServer.StartAsync();
        await Executor.WaitUntilStartedAsync();
    }

    public async Task DisposeAsync()
    {
        await Executor.DisposeAsync();
        await Nats.DisposeAsync();
        Logging.Dispose();
        foreach (var folder in Folders)
            Directory.Delete(folder, recursive: true);
    }

    /// <summary>A temporary folder, removed when the tests end.</summary>
    public static string TempFolder(string prefix)
    {
        var folder = Directory.CreateTempSubdirectory(prefix).FullName;
        Folders.Add(folder);
        return folder;
    }

    /// <summary>A private copy of the test's Python modules, so that a test may edit them.</summary>
    public static string CopyModules()
    {
        var target = TempFolder("wasmcloud-modules");
        var source = Path.Combine(AppContext.BaseDirectory, "PythonModules");
        foreach (var file in Directory.EnumerateFiles(source, "*.py", SearchOption.AllDirectories))
        {
            var destination = Path.Combine(target, Path.GetRelativePath(source, file));
            Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
            File.Copy(file, destination);
        }
        return target;
    }
}

[CollectionDefinition(Name)]
public sealed class LatticeCollection : ICollectionFixture<LatticeFixture>
{
    public const string Name = "Lattice";
}

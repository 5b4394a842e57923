using Microsoft.Extensions.Logging;
namespace EmbeddedPython.Tests;

/// <summary>The one executor of the test process (CPython initialises once per process), with a script folder.</summary>
public sealed class PythonFixture : IAsyncLifetime
{
    public string ScriptDirectory { get; } = Directory.CreateTempSubdirectory("embeddedpython-scripts").FullName;

    public PythonExecutor Executor { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Executor = new PythonExecutor(new PythonExecutorOptions { ScriptDirectory = ScriptDirectory, CodeCacheSize = 64 }, Microsoft.Extensions.Logging.LoggerFactory.Create(b => b.AddConsole().SetMinimumLevel(Microsoft.Extensions.Logging.LogLevel.Warning)));
        await Executor.WaitUntilStartedAsync();
    }

    public async Task DisposeAsync()
    {
        await Executor.DisposeAsync();
        Directory.Delete(ScriptDirectory, recursive: true);
    }
}

[CollectionDefinition(Name)]
public sealed class PythonCollection : ICollectionFixture<PythonFixture>
{
    public const string Name = "Python";
}

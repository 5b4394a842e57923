using Microsoft.Extensions.Logging;
namespace EmbeddedPython.Tests;

/// <summary>The executor most tests of the process share, with a script folder (other executors of the tests are leases on the same CPython).</summary>
public sealed class PythonFixture : IAsyncLifetime
{
    public string ScriptDirectory { get; } = Directory.CreateTempSubdirectory("embeddedpython-scripts").FullName;

    public PythonExecutor Executor { get; private set; } = null!;

    /// <summary>Every log entry the executor wrote, as "category: message".</summary>
    public CapturedLogs Logs { get; } = new();

    public async Task InitializeAsync()
    {
        var loggerFactory = LoggerFactory.Create(b => b
            .AddConsole().AddFilter<Microsoft.Extensions.Logging.Console.ConsoleLoggerProvider>(level => level >= LogLevel.Warning)
            .AddProvider(Logs));
        Executor = new PythonExecutor(new PythonExecutorOptions
        {
            ScriptDirectory = ScriptDirectory,
            CodeCacheSize = 64,
            SearchPaths = { Path.Combine(AppContext.BaseDirectory, "Calls") }, // the module the call tests call
        }, loggerFactory);
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

public sealed class CapturedLogs : ILoggerProvider
{
    public System.Collections.Concurrent.ConcurrentQueue<string> Entries { get; } = new();

    public ILogger CreateLogger(string categoryName) => new Logger(categoryName, Entries);

    public void Dispose()
    {
    }

    private sealed class Logger(string category, System.Collections.Concurrent.ConcurrentQueue<string> entries) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => true;
        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            entries.Enqueue($"{category}: {formatter(state, exception)}");
    }
}

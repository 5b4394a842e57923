namespace EmbeddedPython.Vantiq.Tests.FakeVantiq;

/// <summary>The one executor of the test process (CPython is initialised once per process), shared by every test.</summary>
public sealed class PythonFixture : IAsyncLifetime
{
    public PythonExecutor Executor { get; } = new(new PythonExecutorOptions { DefaultTimeout = TimeSpan.FromSeconds(30) });

    public Task InitializeAsync() => Executor.WaitUntilStartedAsync();

    public Task DisposeAsync() => Executor.DisposeAsync().AsTask();
}

[CollectionDefinition(Name)]
public sealed class PythonCollection : ICollectionFixture<PythonFixture>
{
    public const string Name = "python";
}

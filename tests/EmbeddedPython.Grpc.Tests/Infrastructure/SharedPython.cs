namespace EmbeddedPython.Grpc.Tests.Infrastructure;

/// <summary>The one executor of the test process (CPython initialises once per process); every test host
/// registers this instance, which the hosts never dispose.</summary>
public sealed class SharedPython : IAsyncLifetime
{
    public PythonExecutor Executor { get; } = new(new PythonExecutorOptions());

    public Task InitializeAsync() => Executor.WaitUntilStartedAsync();

    public async Task DisposeAsync() => await Executor.DisposeAsync();
}

[CollectionDefinition(Name)]
public sealed class PythonCollection : ICollectionFixture<SharedPython>
{
    public const string Name = "Python";
}

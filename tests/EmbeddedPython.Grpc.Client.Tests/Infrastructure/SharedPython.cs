namespace EmbeddedPython.Grpc.Client.Tests.Infrastructure;

/// <summary>The one executor of the test process (CPython initialises once per process), serving the in-process
/// test servers, with <c>python/</c> of the test output on its search path.</summary>
public sealed class SharedPython : IAsyncLifetime
{
    public PythonExecutor Executor { get; } = new(new PythonExecutorOptions { SearchPaths = [Path.Combine(AppContext.BaseDirectory, "python")] });

    public Task InitializeAsync() => Executor.WaitUntilStartedAsync();

    public async Task DisposeAsync() => await Executor.DisposeAsync();
}

[CollectionDefinition(Name)]
public sealed class PythonCollection : ICollectionFixture<SharedPython>
{
    public const string Name = "Python";
}

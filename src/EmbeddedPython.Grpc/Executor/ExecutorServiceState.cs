using System.Diagnostics;

namespace EmbeddedPython.Grpc.Executor;

/// <summary>What the Health call reports: start time, calls in flight, the interpreter's version.</summary>
internal sealed class ExecutorServiceState
{
    private readonly long _started = Stopwatch.GetTimestamp();
    private int _running;
    private string? _pythonVersion;

    public int Running => Volatile.Read(ref _running);

    public TimeSpan Uptime => Stopwatch.GetElapsedTime(_started);

    public Scope Enter()
    {
        Interlocked.Increment(ref _running);
        return new Scope(this);
    }

    /// <summary>The interpreter's version, asked once; null while the interpreter cannot run code.</summary>
    public async Task<string?> PythonVersionAsync(IPythonExecutor executor, CancellationToken cancellationToken)
    {
        if (_pythonVersion is { } known)
            return known;
        try
        {
            var result = await executor.ExecuteAsync(new PythonRequest
            {
                Code = "import platform\npython_version = platform.python_version()",
                Name = "embedded_python_grpc.python_version",
                LimitReturnTo = ["python_version"],
                Timeout = TimeSpan.FromSeconds(5),
            }, cancellationToken);
            return _pythonVersion = result.Values.GetValueOrDefault("python_version") as string;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return null;
        }
    }

    public readonly struct Scope(ExecutorServiceState state) : IDisposable
    {
        public void Dispose() => Interlocked.Decrement(ref state._running);
    }
}

using Microsoft.Extensions.Hosting;

namespace EmbeddedPython.DependencyInjection;

/// <summary>Starts Python with the host, so a host without a usable Python fails at start, not at the first request.</summary>
internal sealed class PythonExecutorStartup(PythonExecutor executor) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => executor.WaitUntilStartedAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

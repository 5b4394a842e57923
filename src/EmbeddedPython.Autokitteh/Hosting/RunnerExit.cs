using EmbeddedPython.Autokitteh.Diagnostics;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace EmbeddedPython.Autokitteh.Hosting;

/// <summary>Ends the runner: autokitteh runs one runner per session, so the host stops when the session
/// is done, when it cannot start, or when the worker is gone.</summary>
internal sealed class RunnerExit(IHostApplicationLifetime lifetime, ILogger<RunnerExit> logger)
{
    private int _stopping;

    public bool IsStopping => Volatile.Read(ref _stopping) != 0;

    public void Stop(string reason, int exitCode)
    {
        if (Interlocked.Exchange(ref _stopping, 1) != 0)
            return;
        logger.Stopping(reason, exitCode);
        Environment.ExitCode = exitCode;
        lifetime.StopApplication();
    }
}

using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace EmbeddedPython.Grpc.Autokitteh;

/// <summary>Ends the runner: autokitteh runs one runner per session, so the host stops when the session
/// is done, when it cannot start, or when the worker is gone.</summary>
internal sealed partial class RunnerExit(IHostApplicationLifetime lifetime, ILogger<RunnerExit> logger)
{
    private int _stopping;

    public bool IsStopping => Volatile.Read(ref _stopping) != 0;

    public void Stop(string reason, int exitCode)
    {
        if (Interlocked.Exchange(ref _stopping, 1) != 0)
            return;
        LogStopping(reason, exitCode);
        Environment.ExitCode = exitCode;
        lifetime.StopApplication();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "autokitteh runner stops ({Reason}), exit code {ExitCode}")]
    private partial void LogStopping(string reason, int exitCode);
}

using Autokitteh.UserCode.V1;
using EmbeddedPython.Autokitteh.Diagnostics;
using EmbeddedPython.Autokitteh.Protocol;
using Grpc.Core;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EmbeddedPython.Autokitteh.Hosting;

/// <summary>The runner's life around its session, as autokitteh's runner lives it (nothing when the runner
/// is not enabled): check the worker at start-up, stop when no <c>Start</c> arrives in time, and stop when
/// the worker no longer knows this runner.</summary>
internal sealed class RunnerLifetime(
    WorkerLink worker,
    RunnerSession session,
    RunnerExit exit,
    IHostApplicationLifetime lifetime,
    IOptions<AutokittehRunnerOptions> options,
    ILogger<RunnerLifetime> logger) : BackgroundService
{
    private static readonly TimeSpan StartupCheckDeadline = TimeSpan.FromSeconds(3);

    public override Task StartAsync(CancellationToken cancellationToken) =>
        options.Value.Enabled ? base.StartAsync(cancellationToken) : Task.CompletedTask;

    // Runs once the host has started, so a runner that gives up stops the host cleanly with its exit code.
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var runner = options.Value;
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using (lifetime.ApplicationStarted.Register(() => started.TrySetResult()))
            await started.Task.WaitAsync(stoppingToken);
        if (!runner.SkipCheckWorker && !await WorkerAnswersAsync(runner.WorkerAddress, stoppingToken))
        {
            exit.Stop("worker not available", 1);
            return;
        }
        var startTimer = StartTimerAsync(runner.StartTimeout, stoppingToken);
        if (!runner.SkipCheckWorker)
            await LivenessAsync(runner.LivenessInterval, stoppingToken);
        await startTimer;
    }

    private async Task<bool> WorkerAnswersAsync(string address, CancellationToken stoppingToken)
    {
        try
        {
            var health = await worker.Client.HealthAsync(new HandlerHealthRequest(), deadline: DateTime.UtcNow + StartupCheckDeadline, cancellationToken: stoppingToken);
            if (health.Error.Length == 0)
                return true;
            logger.WorkerNotAvailable(address, health.Error);
        }
        catch (RpcException e)
        {
            logger.WorkerNotAvailable(address, e.Status.Detail);
        }
        return false;
    }

    private async Task StartTimerAsync(TimeSpan timeout, CancellationToken stoppingToken)
    {
        await Task.WhenAny(session.Started, Task.Delay(timeout, stoppingToken));
        if (!session.Started.IsCompleted && !stoppingToken.IsCancellationRequested)
            exit.Stop($"no Start within {timeout.TotalSeconds:0.###} s", 1);
    }

    private async Task LivenessAsync(TimeSpan interval, CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(interval);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                string error;
                try
                {
                    var answer = await worker.Client.IsActiveRunnerAsync(new IsActiveRunnerRequest { RunnerId = worker.RunnerId }, deadline: DateTime.UtcNow + interval, cancellationToken: stoppingToken);
                    error = answer.Error;
                }
                catch (RpcException e)
                {
                    error = $"{e.StatusCode}: {e.Status.Detail}";
                }
                if (error.Length > 0)
                {
                    exit.Stop($"the worker does not know this runner any more ({error})", 1);
                    return;
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}

using System.Threading.Channels;
using Autokitteh.UserCode.V1;
using EmbeddedPython.Autokitteh.Diagnostics;
using EmbeddedPython.Autokitteh.Hosting;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EmbeddedPython.Autokitteh.Protocol;

/// <summary>The runner's calls to the worker's <c>HandlerService</c>. Prints, syscalls and <c>Done</c> go
/// out one at a time in the order user code made them, so the session log reads as the code ran and
/// <c>Done</c> is the last thing the worker hears.</summary>
internal sealed class WorkerLink : IAsyncDisposable
{
    private readonly Lazy<GrpcChannel> _channel;
    private readonly Lazy<HandlerService.HandlerServiceClient> _client;
    private readonly Channel<Func<Task>> _outbox = Channel.CreateUnbounded<Func<Task>>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Task _pump;
    private readonly RunnerExit _exit;
    private readonly ILogger<WorkerLink> _logger;

    public WorkerLink(IOptions<AutokittehRunnerOptions> options, RunnerExit exit, ILogger<WorkerLink> logger)
    {
        var runner = options.Value;
        RunnerId = runner.RunnerId;
        // Made on first use: a host whose runner is not enabled never dials (nor parses) the worker address.
        _channel = new(() => GrpcChannel.ForAddress(WorkerAddress.Parse(runner.WorkerAddress).ToUri()));
        _client = new(() => new HandlerService.HandlerServiceClient(_channel.Value));
        _exit = exit;
        _logger = logger;
        _pump = Task.Run(PumpAsync);
    }

    public string RunnerId { get; }

    public HandlerService.HandlerServiceClient Client => _client.Value;

    /// <summary>Queues one print() of user code; returns at once (called from Python, holding the GIL).</summary>
    public void Print(string message) =>
        Enqueue(async () => await Client.PrintAsync(new PrintRequest { RunnerId = RunnerId, Message = message }));

    /// <summary>Runs a worker call after everything queued before it, and returns its response.</summary>
    public Task<T> CallInOrder<T>(Func<Task<T>> call)
    {
        var answer = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        Enqueue(async () => answer.SetResult(await call()), answer.SetException);
        return answer.Task;
    }

    private void Enqueue(Func<Task> send, Action<Exception>? onError = null)
    {
        if (!_outbox.Writer.TryWrite(async () =>
        {
            try
            {
                await send();
            }
            catch (RpcException e)
            {
                onError?.Invoke(e);
                _logger.WorkerCallFailed(e.StatusCode, e.Status.Detail);
                // The worker is gone or gave up on this runner: nothing left to report to.
                if (e.StatusCode is StatusCode.Unavailable or StatusCode.Cancelled)
                    _exit.Stop($"worker call failed with {e.StatusCode}", 1);
            }
            catch (Exception e)
            {
                // One failed call must not stop the ones queued after it (Done above all).
                onError?.Invoke(e);
                _logger.SendFailed(e);
            }
        }))
        {
            throw new InvalidOperationException("the runner no longer talks to the worker");
        }
    }

    private async Task PumpAsync()
    {
        await foreach (var send in _outbox.Reader.ReadAllAsync())
            await send();
    }

    public async ValueTask DisposeAsync()
    {
        _outbox.Writer.TryComplete();
        await _pump.WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        if (_channel.IsValueCreated)
            _channel.Value.Dispose();
    }
}

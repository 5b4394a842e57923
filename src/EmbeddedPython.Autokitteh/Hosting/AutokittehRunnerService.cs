using Autokitteh.UserCode.V1;
using EmbeddedPython.Grpc.Hosting;
using EmbeddedPython.Grpc.Security;
using Grpc.Core;
using Microsoft.Extensions.Options;
using HealthStatus = EmbeddedPython.Grpc.V1.HealthResponse.Types.Status;

namespace EmbeddedPython.Autokitteh.Hosting;

/// <summary><c>autokitteh.user_code.v1.RunnerService</c>, the service autokitteh's worker drives.</summary>
[RunsPython]
internal sealed class AutokittehRunnerService(RunnerSession session, InterpreterHealth health, IOptions<AutokittehRunnerOptions> options)
    : RunnerService.RunnerServiceBase
{
    // The interpreter's health, as the executor service reports it: an empty error means serving.
    public override async Task<RunnerHealthResponse> Health(RunnerHealthRequest request, ServerCallContext context)
    {
        var (status, _, _) = await health.CheckAsync(context.CancellationToken);
        return new RunnerHealthResponse { Error = status == HealthStatus.Serving ? "" : $"the Python interpreter is {status}" };
    }

    public override Task<ExportsResponse> Exports(ExportsRequest request, ServerCallContext context) =>
        Enabled().ExportsAsync(request.FileName, context.CancellationToken);

    public override Task<StartResponse> Start(StartRequest request, ServerCallContext context) =>
        Enabled().StartAsync(request, context.CancellationToken);

    // The runner has at most one pending activity, so Execute's data is not needed to find it.
    public override Task<ExecuteResponse> Execute(ExecuteRequest request, ServerCallContext context) =>
        Enabled().ExecuteAsync(context.CancellationToken);

    public override Task<ActivityReplyResponse> ActivityReply(ActivityReplyRequest request, ServerCallContext context) =>
        Enabled().ActivityReplyAsync(request, context.CancellationToken);

    // A host that maps the service without enabling the runner has no worker and no code directory to serve.
    private RunnerSession Enabled() => options.Value.Enabled
        ? session
        : throw new RpcException(new Status(StatusCode.FailedPrecondition, $"the autokitteh runner is not enabled on this host ({AutokittehRunnerOptions.SectionName}:Enabled)"));
}

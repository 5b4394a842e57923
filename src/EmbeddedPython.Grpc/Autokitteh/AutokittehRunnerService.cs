using Autokitteh.UserCode.V1;
using EmbeddedPython.Grpc.Executor;
using EmbeddedPython.Grpc.V1;
using Grpc.Core;
using Microsoft.Extensions.Options;
using ExecuteRequest = Autokitteh.UserCode.V1.ExecuteRequest;
using ExecuteResponse = Autokitteh.UserCode.V1.ExecuteResponse;

namespace EmbeddedPython.Grpc.Autokitteh;

/// <summary><c>autokitteh.user_code.v1.RunnerService</c>, the service autokitteh's worker drives.</summary>
internal sealed class AutokittehRunnerService(RunnerSession session, ExecutorServiceState state, IOptions<PythonGrpcOptions> options)
    : RunnerService.RunnerServiceBase
{
    // The interpreter's health, as the executor service reports it: an empty error means serving.
    public override async Task<RunnerHealthResponse> Health(RunnerHealthRequest request, ServerCallContext context)
    {
        var (status, _, _) = await state.InterpreterAsync(context.CancellationToken);
        return new RunnerHealthResponse { Error = status == HealthResponse.Types.Status.Serving ? "" : $"the Python interpreter is {status}" };
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
    private RunnerSession Enabled() => options.Value.Autokitteh.Enabled
        ? session
        : throw new RpcException(new Status(StatusCode.FailedPrecondition, "the autokitteh runner is not enabled on this host (EmbeddedPython:Grpc:Autokitteh:Enabled)"));
}

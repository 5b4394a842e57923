using Autokitteh.UserCode.V1;
using EmbeddedPython.Grpc.Executor;
using EmbeddedPython.Grpc.V1;
using Grpc.Core;
using ExecuteRequest = Autokitteh.UserCode.V1.ExecuteRequest;
using ExecuteResponse = Autokitteh.UserCode.V1.ExecuteResponse;

namespace EmbeddedPython.Grpc.Autokitteh;

/// <summary><c>autokitteh.user_code.v1.RunnerService</c>, the service autokitteh's worker drives.</summary>
internal sealed class AutokittehRunnerService(RunnerSession session, ExecutorServiceState state) : RunnerService.RunnerServiceBase
{
    // The interpreter's health, as the executor service reports it: an empty error means serving.
    public override async Task<RunnerHealthResponse> Health(RunnerHealthRequest request, ServerCallContext context)
    {
        var (status, _, _) = await state.InterpreterAsync(context.CancellationToken);
        return new RunnerHealthResponse { Error = status == HealthResponse.Types.Status.Serving ? "" : $"the Python interpreter is {status}" };
    }

    public override Task<ExportsResponse> Exports(ExportsRequest request, ServerCallContext context) =>
        session.ExportsAsync(request.FileName, context.CancellationToken);

    public override Task<StartResponse> Start(StartRequest request, ServerCallContext context) =>
        session.StartAsync(request, context.CancellationToken);

    // The runner has at most one pending activity, so Execute's data is not needed to find it.
    public override Task<ExecuteResponse> Execute(ExecuteRequest request, ServerCallContext context) =>
        session.ExecuteAsync(context.CancellationToken);

    public override Task<ActivityReplyResponse> ActivityReply(ActivityReplyRequest request, ServerCallContext context) =>
        session.ActivityReplyAsync(request, context.CancellationToken);
}

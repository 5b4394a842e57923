using Autokitteh.UserCode.V1;
using Grpc.Core;

namespace EmbeddedPython.Grpc.Autokitteh;

/// <summary><c>autokitteh.user_code.v1.RunnerService</c>, the service autokitteh's worker drives.</summary>
internal sealed class AutokittehRunnerService(RunnerSession session) : RunnerService.RunnerServiceBase
{
    public override Task<RunnerHealthResponse> Health(RunnerHealthRequest request, ServerCallContext context) =>
        Task.FromResult(new RunnerHealthResponse());

    public override Task<ExportsResponse> Exports(ExportsRequest request, ServerCallContext context) =>
        session.ExportsAsync(request.FileName, context.CancellationToken);

    public override Task<StartResponse> Start(StartRequest request, ServerCallContext context) =>
        session.StartAsync(request, context.CancellationToken);

    // Durable activities are not supported yet (sessions run non-durably), so no call is ever pending.
    public override Task<ExecuteResponse> Execute(ExecuteRequest request, ServerCallContext context) =>
        throw new RpcException(new Status(StatusCode.Internal, "no pending activity calls"));

    public override Task<ActivityReplyResponse> ActivityReply(ActivityReplyRequest request, ServerCallContext context) =>
        throw new RpcException(new Status(StatusCode.InvalidArgument, "ActivityReply without pending calls"));
}

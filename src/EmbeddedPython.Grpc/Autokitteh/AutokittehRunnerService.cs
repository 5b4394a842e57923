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

    // The runner has at most one pending activity, so Execute's data is not needed to find it.
    public override Task<ExecuteResponse> Execute(ExecuteRequest request, ServerCallContext context) =>
        session.ExecuteAsync(context.CancellationToken);

    public override Task<ActivityReplyResponse> ActivityReply(ActivityReplyRequest request, ServerCallContext context) =>
        session.ActivityReplyAsync(request, context.CancellationToken);
}

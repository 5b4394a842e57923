using EmbeddedPython.Grpc.V1;
using Grpc.Core;

namespace EmbeddedPython.Grpc.Executor;

/// <summary>The <c>Call</c> and <c>StreamCall</c> methods of the service (the call API of §3b over gRPC), served by
/// <see cref="CallHandler"/>.</summary>
internal sealed partial class PythonExecutorService
{
    public override async Task<CallResponse> Call(CallRequest request, ServerCallContext context)
    {
        try
        {
            var response = await _calls.CallAsync(request, context);
            CountCall(StatusCode.OK);
            return response;
        }
        catch (Exception e)
        {
            throw Fail(e, request.RequestId, context);
        }
    }

    public override async Task StreamCall(CallRequest request, IServerStreamWriter<CallItem> responseStream, ServerCallContext context)
    {
        try
        {
            await _calls.StreamCallAsync(request, responseStream, context);
            CountCall(StatusCode.OK);
        }
        catch (Exception e)
        {
            throw Fail(e, request.RequestId, context);
        }
    }
}

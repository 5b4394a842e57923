using System.Diagnostics;
using EmbeddedPython.Grpc.Client.Tests.Infrastructure;
using OpenTelemetry;
using OpenTelemetry.Trace;

namespace EmbeddedPython.Grpc.Client.Tests.Diagnostics;

/// <summary>A remote request is a client activity of <c>EmbeddedPython.Grpc.Client</c>, and its trace continues on the
/// server: the server's <c>python.request</c> has the client's trace id.</summary>
[Collection(PythonCollection.Name)]
public sealed class TracingTests(SharedPython python)
{
    [Fact]
    public async Task A_remote_request_is_a_client_activity_and_its_trace_context_reaches_the_server()
    {
        var spans = new List<Activity>();
        using var tracing = Sdk.CreateTracerProviderBuilder()
            .AddSource("EmbeddedPython*", "Microsoft.AspNetCore", nameof(TracingTests))
            .AddInMemoryExporter(spans)
            .Build();
        using var source = new ActivitySource(nameof(TracingTests));
        await using var server = await LoopbackServer.StartAsync(python);
        await using var remote = new RemotePythonExecutor(new RemotePythonExecutorOptions { Address = server.Address });

        ActivityTraceId traceId;
        using (var caller = source.StartActivity("caller")!)
        {
            traceId = caller.TraceId;
            await remote.ExecuteAsync(new PythonRequest { Code = "y = 1" });
        }
        tracing!.ForceFlush();

        var client = Assert.Single(spans, s => s.Source.Name == "EmbeddedPython.Grpc.Client" && s.TraceId == traceId);
        Assert.Equal(ActivityKind.Client, client.Kind);
        Assert.Equal("embeddedpython.executor.v1.PythonExecutor/Execute", client.OperationName);
        Assert.Equal(spans.Single(s => s.OperationName == "caller").SpanId, client.ParentSpanId);
        var request = Assert.Single(spans, s => s.OperationName == "python.request" && s.TraceId == traceId);
        Assert.Equal("EmbeddedPython", request.Source.Name);
    }
}

using System.Diagnostics;
using EmbeddedPython.WasmCloud.Claims;
using EmbeddedPython.WasmCloud.Diagnostics;
using EmbeddedPython.WasmCloud.Hosting;
using EmbeddedPython.WasmCloud.Python;
using EmbeddedPython.WasmCloud.Wire;
using Microsoft.Extensions.Logging;
using NATS.Client.Core;

namespace EmbeddedPython.WasmCloud.Bus;

/// <summary>
/// One invocation from its msgpack bytes to the response (spec §5–§9): de-chunking, claims and link checks,
/// CBOR to Python and back, a chunked response. Every failure becomes an error response with the original
/// provider's text (spec §7), never a missing reply. The wRPC front end shares <see cref="CallPythonAsync"/>.
/// </summary>
internal sealed class InvocationHandler(
    HostData host, WasmCloudProviderOptions options, PythonDispatcher python, ChunkStore chunks,
    Func<string, bool> isLinked, ILogger logger, CancellationToken stopping)
{
    private readonly RecentInvocations _recent = new(capacity: 10_000, largestKept: 64 * 1024);
    private long _served;

    /// <summary>Invocations run (repeats of a recent invocation id are not counted).</summary>
    public long Served => Interlocked.Read(ref _served);

    public async Task<InvocationResponse> InvokeAsync(byte[] body)
    {
        Invocation invocation;
        try
        {
            invocation = EnvelopeCodec.DecodeInvocation(body);
        }
        catch (FormatException e)
        {
            return InvocationResponse.Failure("", "deser error: " + e.Message);
        }
        if (invocation.Id.Length == 0)
            return await RunAsync(invocation).ConfigureAwait(false);
        // Keyed by id and claims together, so a forged message reusing a known id never sees the real answer.
        return await _recent.GetOrRun(invocation.Id + "\n" + invocation.EncodedClaims, () => RunAsync(invocation)).ConfigureAwait(false);
    }

    private async Task<InvocationResponse> RunAsync(Invocation invocation)
    {
        Interlocked.Increment(ref _served);
        var started = Stopwatch.GetTimestamp();
        using var activity = Telemetry.StartInvocation(invocation);
        var response = await AnswerAsync(invocation).ConfigureAwait(false);
        Telemetry.Answered(activity, response, Stopwatch.GetElapsedTime(started));
        if (response.Error is { } error)
            Log.InvocationFailed(logger, invocation.Id, invocation.Operation, invocation.Origin.PublicKey, error);
        return response;
    }

    private async Task<InvocationResponse> AnswerAsync(Invocation invocation)
    {
        var id = invocation.Id;
        var argument = invocation.Message;
        if (invocation.IsChunked)
        {
            try
            {
                argument = await chunks.TakeAsync(id, (name, reason) => Log.ChunkDeleteFailed(logger, name, reason), stopping).ConfigureAwait(false);
            }
            catch (Exception e) when (e is NatsException or OperationCanceledException)
            {
                return InvocationResponse.Failure(id, $"could not read the chunked argument '{id}': {e.Message}");
            }
        }
        if (Validate(invocation, argument) is { } invalid)
            return InvocationResponse.Failure(id, invalid);
        var kind = MessageFormat.Classify(argument);
        if (kind is not (PayloadKind.Empty or PayloadKind.Cbor))
            return InvocationResponse.Failure(id, "rpc: invalid message format");
        var (result, error) = await CallPythonAsync(invocation.Operation, kind == PayloadKind.Cbor ? argument.AsMemory(1) : ReadOnlyMemory<byte>.Empty).ConfigureAwait(false);
        if (error is not null)
            return InvocationResponse.Failure(id, error);
        if (result.Length <= options.ChunkThresholdBytes)
            return new InvocationResponse(result, id, null, (ulong)result.Length);
        try
        {
            await chunks.PutAsync(id + "-r", result, stopping).ConfigureAwait(false);
        }
        catch (Exception e) when (e is NatsException or OperationCanceledException)
        {
            return InvocationResponse.Failure(id, $"could not store the chunked response '{id}-r': {e.Message}");
        }
        return new InvocationResponse([], id, null, (ulong)result.Length);
    }

    /// <summary>The step both front ends share: CBOR argument (none when empty) to Python and the result back
    /// to CBOR, or the original provider's error text.</summary>
    public async Task<(byte[] Result, string? Error)> CallPythonAsync(string operation, ReadOnlyMemory<byte> cbor)
    {
        object? value = null;
        if (!cbor.IsEmpty)
        {
            try
            {
                value = CborValues.Decode(cbor);
            }
            catch (FormatException e)
            {
                return ([], "serialization: " + e.Message);
            }
        }
        var outcome = await python.InvokeAsync(operation, value, stopping).ConfigureAwait(false);
        if (outcome.Error is { } error)
            return ([], error);
        try
        {
            return (outcome.Value is null && !options.NoneAsCborNull ? [] : CborValues.Encode(outcome.Value), null);
        }
        catch (NotSupportedException e)
        {
            return ([], "deserialization: " + e.Message);
        }
    }

    private string? Validate(Invocation invocation, byte[] argument)
    {
        if (options.VerifyClaims && InvocationClaims.Verify(invocation, argument, host.ClusterIssuers, DateTimeOffset.UtcNow) is { } invalid)
            return invalid;
        if (invocation.Target.PublicKey != host.ProviderKey)
            return $"target key mismatch: '{invocation.Target.PublicKey}' is not this provider ('{host.ProviderKey}')";
        if (!isLinked(invocation.Origin.PublicKey))
            return $"unlinked actor: '{invocation.Origin.PublicKey}'";
        return null;
    }
}

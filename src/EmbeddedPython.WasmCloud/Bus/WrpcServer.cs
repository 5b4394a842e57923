using System.Threading.Channels;
using EmbeddedPython.WasmCloud.Wire;
using NATS.Client.Core;

namespace EmbeddedPython.WasmCloud.Bus;

/// <summary>
/// Serves <see cref="DispatchCall"/> to wasmCloud 1.x components over wRPC's NATS transport (protocol
/// <c>wrpc.0.0.1</c>, spec §12). Hand-written because no .NET wRPC implementation is published. One call:
/// the caller publishes the (possibly truncated) parameters with a reply inbox Rc; we answer on Rc with an
/// empty message whose reply subject is our inbox Rs; the rest of the parameters arrive on <c>Rs.params</c>;
/// the result goes to <c>Rc.results</c>, split at the server's payload limit, and an empty message ends it.
/// </summary>
internal sealed class WrpcServer(NatsConnection nats, TimeSpan parameterTimeout, Func<string, byte[], Task<(byte[] Result, string? Error)>> call)
{
    public const string Protocol = "wrpc.0.0.1";

    /// <summary>The invocation subject under a prefix (1.x: <c>&lt;lattice&gt;.&lt;provider id&gt;</c>).</summary>
    public static string Subject(string prefix) => $"{prefix}.{Protocol}.{DispatchCall.Instance}.{DispatchCall.Function}";

    /// <summary>An inbox of our own: NATS.Net delivers subjects under its connection's inbox prefix through
    /// its request-reply mux, which only sees one token below the prefix, so <c>&lt;inbox&gt;.params</c> would never arrive.</summary>
    public static string NewInbox() => "_INBOX." + Guid.NewGuid().ToString("N");

    public async Task AnswerAsync(NatsMsg<byte[]> handshake, CancellationToken cancellationToken)
    {
        if (handshake.ReplyTo is not { } caller)
            return;
        byte[] reply;
        var inbox = NewInbox();
        await using (var parameters = await nats.SubscribeCoreAsync<byte[]>(inbox + ".params", cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            await nats.PublishAsync(caller, Array.Empty<byte>(), replyTo: inbox, cancellationToken: cancellationToken).ConfigureAwait(false);
            reply = await RunAsync(handshake.Data ?? [], parameters.Msgs, cancellationToken).ConfigureAwait(false);
        }
        var limit = (int)Math.Max(1, Math.Min(nats.ServerInfo?.MaxPayload ?? 1024 * 1024, int.MaxValue));
        for (var offset = 0; offset < reply.Length; offset += limit)
            await nats.PublishAsync(caller + ".results", reply.AsMemory(offset, Math.Min(limit, reply.Length - offset)).ToArray(), cancellationToken: cancellationToken).ConfigureAwait(false);
        await nats.PublishAsync(caller + ".results", Array.Empty<byte>(), cancellationToken: cancellationToken).ConfigureAwait(false);
    }

    private async Task<byte[]> RunAsync(byte[] first, ChannelReader<NatsMsg<byte[]>> more, CancellationToken cancellationToken)
    {
        (string Operation, byte[] Payload)? request;
        try
        {
            request = await ReadParametersAsync(first, more, cancellationToken).ConfigureAwait(false);
        }
        catch (FormatException e)
        {
            return DispatchCall.WriteResult([], "wrpc: invalid parameters: " + e.Message);
        }
        catch (TimeoutException)
        {
            return DispatchCall.WriteResult([], "wrpc: the rest of the parameters did not arrive in time");
        }
        if (request is not { } received)
            return DispatchCall.WriteResult([], "wrpc: the parameter stream ended before the parameters were complete");
        var (result, error) = await call(received.Operation, received.Payload).ConfigureAwait(false);
        return DispatchCall.WriteResult(result, error);
    }

    private async Task<(string, byte[])?> ReadParametersAsync(byte[] first, ChannelReader<NatsMsg<byte[]>> more, CancellationToken cancellationToken)
    {
        var buffer = new MemoryStream();
        buffer.Write(first);
        while (true)
        {
            if (DispatchCall.TryReadParameters(buffer.GetBuffer().AsSpan(0, (int)buffer.Length), out var operation, out var payload))
                return (operation, payload);
            using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            wait.CancelAfter(parameterTimeout);
            NatsMsg<byte[]> next;
            try
            {
                next = await more.ReadAsync(wait.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new TimeoutException();
            }
            // An empty message closes the stream.
            if (next.Data is not { Length: > 0 } data)
                return null;
            buffer.Write(data);
        }
    }
}

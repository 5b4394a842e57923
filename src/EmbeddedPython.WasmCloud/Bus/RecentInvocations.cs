using System.Collections.Concurrent;
using EmbeddedPython.WasmCloud.Wire;

namespace EmbeddedPython.WasmCloud.Bus;

/// <summary>
/// The answers to the last invocations, by invocation id. A host that lost a reply (a NATS reconnect
/// between our reply and its inbox) resends the same invocation; it then gets the answer already
/// computed, or joins the one still running, so Python runs each invocation once. Large answers are
/// forgotten once sent, so that the memory held stays small (a resend of one of those runs again).
/// </summary>
internal sealed class RecentInvocations(int capacity, int largestKept)
{
    private readonly ConcurrentDictionary<string, Lazy<Task<InvocationResponse>>> _answers = new();
    private readonly ConcurrentQueue<string> _order = new();

    public Task<InvocationResponse> GetOrRun(string key, Func<Task<InvocationResponse>> run)
    {
        var lazy = new Lazy<Task<InvocationResponse>>(run);
        var existing = _answers.GetOrAdd(key, lazy);
        if (!ReferenceEquals(existing, lazy))
            return existing.Value;
        _order.Enqueue(key);
        while (_order.Count > capacity && _order.TryDequeue(out var oldest))
            _answers.TryRemove(oldest, out _);
        return ForgetIfLarge(key, lazy.Value);
    }

    private async Task<InvocationResponse> ForgetIfLarge(string key, Task<InvocationResponse> running)
    {
        var response = await running.ConfigureAwait(false);
        if (response.Message.Length > largestKept)
            _answers.TryRemove(key, out _);
        return response;
    }
}

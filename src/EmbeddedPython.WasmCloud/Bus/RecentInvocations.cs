using System.Collections.Concurrent;
using EmbeddedPython.WasmCloud.Wire;

namespace EmbeddedPython.WasmCloud.Bus;

/// <summary>
/// The answers to the last invocations, by invocation id. A host that lost a reply (a NATS reconnect
/// between our reply and its inbox) resends the same invocation; it then gets the answer already
/// computed, or joins the one still running, so Python runs each invocation once.
/// </summary>
internal sealed class RecentInvocations(int capacity)
{
    private readonly ConcurrentDictionary<string, Lazy<Task<InvocationResponse>>> _answers = new();
    private readonly ConcurrentQueue<string> _order = new();

    public Task<InvocationResponse> GetOrRun(string id, Func<Task<InvocationResponse>> run)
    {
        var lazy = new Lazy<Task<InvocationResponse>>(run);
        var existing = _answers.GetOrAdd(id, lazy);
        if (ReferenceEquals(existing, lazy))
        {
            _order.Enqueue(id);
            while (_order.Count > capacity && _order.TryDequeue(out var oldest))
                _answers.TryRemove(oldest, out _);
        }
        return existing.Value;
    }
}

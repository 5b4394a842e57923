using EmbeddedPython.WasmCloud.Bus;
using EmbeddedPython.WasmCloud.Wire;

namespace EmbeddedPython.WasmCloud.Tests.Bus;

public sealed class RecentInvocationsTests
{
    private int _runs;

    private Func<Task<InvocationResponse>> Run(int size) => () =>
    {
        Interlocked.Increment(ref _runs);
        return Task.FromResult(new InvocationResponse(new byte[size], "id"));
    };

    [Fact]
    public async Task A_resent_invocation_gets_the_first_answer_without_running_again()
    {
        var recent = new RecentInvocations(capacity: 10, largestKept: 100);
        var first = await recent.GetOrRun("a", Run(10));
        Assert.Same(first, await recent.GetOrRun("a", Run(10)));
        Assert.Equal(1, _runs);
    }

    [Fact]
    public async Task A_large_answer_is_forgotten_once_sent_and_the_oldest_go_past_capacity()
    {
        var recent = new RecentInvocations(capacity: 2, largestKept: 100);
        await recent.GetOrRun("big", Run(101));
        await recent.GetOrRun("big", Run(101));
        Assert.Equal(2, _runs);

        await recent.GetOrRun("a", Run(1));
        await recent.GetOrRun("b", Run(1));
        await recent.GetOrRun("c", Run(1));
        await recent.GetOrRun("a", Run(1));
        Assert.Equal(6, _runs);
    }
}

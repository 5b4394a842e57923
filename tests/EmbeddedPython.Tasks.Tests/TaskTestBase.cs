namespace EmbeddedPython.Tasks.Tests;

/// <summary>Starting a task and collecting how it ended and what it printed.</summary>
public abstract class TaskTestBase(TaskHostFixture fixture)
{
    protected static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    protected IPythonTaskHost Tasks => fixture.Tasks;

    protected static string Guide => TaskHostFixture.Application("guide");

    protected static string Limits => TaskHostFixture.Application("limits");

    protected async Task<(PythonTaskInfo Info, List<string> Lines)> RunAsync(string application, string script,
        IReadOnlyDictionary<string, object?>? parameters = null, PythonTaskLimits? limits = null)
    {
        var pid = await Tasks.StartAsync(application, script, parameters, limits);
        var info = await Tasks.WaitAsync(pid).WaitAsync(Patience);
        return (info, await LinesAsync(pid));
    }

    protected async Task<List<string>> LinesAsync(Guid pid)
    {
        var lines = new List<string>();
        await foreach (var line in Tasks.ReadOutputAsync(pid).WithCancellation(new CancellationTokenSource(Patience).Token))
            lines.Add(line.Text);
        return lines;
    }

    /// <summary>The task this one started (its only child).</summary>
    protected Guid ChildOf(Guid parent) => Tasks.List().Single(t => t.ParentPid == parent).Pid;
}

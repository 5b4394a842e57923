namespace EmbeddedPython.Tasks;

/// <summary>Where a task is in its life.</summary>
public enum PythonTaskState
{
    /// <summary>The script is running.</summary>
    Running,

    /// <summary>The script ended normally (or called <c>sys.exit(0)</c>).</summary>
    Closed,

    /// <summary>The script raised an exception or exited with a non-zero code.</summary>
    Failed,

    /// <summary>The task reached its time limit and was stopped.</summary>
    TimedOut,

    /// <summary>The task was stopped: by <see cref="IPythonTaskHost.StopAsync"/>, or for going over its memory limit.</summary>
    Killed,
}

/// <summary>A task's time and memory limits; a null member takes the host's default.</summary>
/// <param name="Timeout">How long the task may run; <see cref="System.Threading.Timeout.InfiniteTimeSpan"/> for no limit.</param>
/// <param name="MaxMemoryMegabytes">How many MB (2^20 bytes) of objects the task may retain; 0 for no limit.</param>
public sealed record PythonTaskLimits(TimeSpan? Timeout = null, int? MaxMemoryMegabytes = null);

/// <summary>One line a task printed.</summary>
/// <param name="Pid">The task.</param>
/// <param name="Time">When the line was complete.</param>
/// <param name="Stream"><c>stdout</c> or <c>stderr</c>.</param>
/// <param name="Text">The line, without its line break.</param>
public sealed record PythonTaskOutputLine(Guid Pid, DateTimeOffset Time, string Stream, string Text);

/// <summary>What a task is or was.</summary>
/// <param name="Pid">The task's id (<c>TASK_PARAMS['pid']</c>).</param>
/// <param name="ParentPid">The task that started it with <c>run_am_script</c>, or null.</param>
/// <param name="ApplicationPath">The application folder.</param>
/// <param name="ScriptPath">The script, relative to the application folder.</param>
/// <param name="OutputPath">The task's own work folder.</param>
/// <param name="Timeout">Its time limit (<see cref="System.Threading.Timeout.InfiniteTimeSpan"/>: none).</param>
/// <param name="MaxMemoryMegabytes">Its memory limit in MB (0: none).</param>
/// <param name="StartedAt">When it was started.</param>
/// <param name="State">Its state now.</param>
/// <param name="EndedAt">When it ended, or null while running.</param>
/// <param name="Reason">How it ended when not normally: the exception, the exit code, the limit it reached.</param>
public sealed record PythonTaskInfo(
    Guid Pid,
    Guid? ParentPid,
    string ApplicationPath,
    string ScriptPath,
    string OutputPath,
    TimeSpan Timeout,
    int MaxMemoryMegabytes,
    DateTimeOffset StartedAt,
    PythonTaskState State,
    DateTimeOffset? EndedAt,
    string? Reason)
{
    /// <summary>The state as the Application Manager names it: <c>running</c>, <c>closed</c>, <c>failed</c>,
    /// <c>timed out</c>, <c>killed</c>.</summary>
    public string StateName => State switch
    {
        PythonTaskState.Running => "running",
        PythonTaskState.Closed => "closed",
        PythonTaskState.Failed => "failed",
        PythonTaskState.TimedOut => "timed out",
        _ => "killed",
    };
}

/// <summary>What happened to a task.</summary>
public enum PythonTaskEventKind
{
    /// <summary>The task started; <see cref="PythonTaskEvent.Line"/> is null.</summary>
    Started,

    /// <summary>The task printed <see cref="PythonTaskEvent.Line"/>.</summary>
    Output,

    /// <summary>The task ended; <see cref="PythonTaskEvent.Task"/> says how.</summary>
    Ended,
}

/// <summary>One event of <see cref="IPythonTaskHost.WatchAsync"/>.</summary>
/// <param name="Kind">What happened.</param>
/// <param name="Task">The task, as it was when the event happened.</param>
/// <param name="Line">The printed line, for <see cref="PythonTaskEventKind.Output"/>.</param>
public sealed record PythonTaskEvent(PythonTaskEventKind Kind, PythonTaskInfo Task, PythonTaskOutputLine? Line);

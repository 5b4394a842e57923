namespace EmbeddedPython.Tasks;

/// <summary>Settings of the task host; bound from the configuration section <c>EmbeddedPython:Tasks</c>.</summary>
public sealed class PythonTasksOptions
{
    /// <summary>The configuration section these options bind from.</summary>
    public const string SectionName = "EmbeddedPython:Tasks";

    /// <summary>Time limit of a task that sets none (the original's <c>DEFAULT_TASK_TIMEOUT_SEC</c>). Default 300 s.</summary>
    public TimeSpan DefaultTimeout { get; set; } = TimeSpan.FromSeconds(300);

    /// <summary>Memory limit in MB of a task that sets none (the original's <c>DEFAULT_TASK_MAX_MEMORY_MB</c>). Default 100.</summary>
    public int DefaultMaxMemoryMegabytes { get; set; } = 100;

    /// <summary>Port of the websocket endpoint <c>ws://127.0.0.1:&lt;port&gt;/&lt;pid&gt;</c> (the original's
    /// <c>RESOURCE_SERVER_LOCAL_PORT</c>). Default 18564; 0 picks a free port.</summary>
    public int WebSocketPort { get; set; } = 18564;

    /// <summary>Where each task gets its work folder (<c>TASK_PARAMS['outputPath']</c>, named by pid).
    /// Default: <c>ompy-tasks</c> under the system's temporary folder.</summary>
    public string WorkDirectory { get; set; } = Path.Combine(Path.GetTempPath(), "ompy-tasks");
}

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

    /// <summary>How many ended tasks (state and output) the host keeps for <see cref="IPythonTaskHost.Get"/>,
    /// <see cref="IPythonTaskHost.List"/> and <see cref="IPythonTaskHost.ReadOutputAsync"/>; the longest ended
    /// go first. Default 1,000.</summary>
    public int MaxEndedTasks { get; set; } = 1000;

    /// <summary>Takes the defaults from the environment variables the original hypervisor reads
    /// (<c>DEFAULT_TASK_TIMEOUT_SEC</c>, <c>DEFAULT_TASK_MAX_MEMORY_MB</c>, <c>RESOURCE_SERVER_LOCAL_PORT</c>),
    /// where set; configuration and code applied afterwards win over them.</summary>
    /// <exception cref="FormatException">One of them is set but is not a whole number.</exception>
    public void ReadOriginalEnvironment()
    {
        if (Read("DEFAULT_TASK_TIMEOUT_SEC") is { } seconds)
            DefaultTimeout = TimeSpan.FromSeconds(seconds);
        if (Read("DEFAULT_TASK_MAX_MEMORY_MB") is { } megabytes)
            DefaultMaxMemoryMegabytes = megabytes;
        if (Read("RESOURCE_SERVER_LOCAL_PORT") is { } port)
            WebSocketPort = port;
    }

    private static int? Read(string name) => Environment.GetEnvironmentVariable(name) switch
    {
        null or "" => null,
        var text when int.TryParse(text, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var value) => value,
        var text => throw new FormatException($"Environment variable {name} must be a whole number, not '{text}'."),
    };
}

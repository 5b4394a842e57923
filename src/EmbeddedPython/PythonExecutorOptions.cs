namespace EmbeddedPython;

/// <summary>Settings of the executor; bound from the configuration section <c>EmbeddedPython</c>.</summary>
public sealed class PythonExecutorOptions
{
    /// <summary>The configuration section these options bind from.</summary>
    public const string SectionName = "EmbeddedPython";

    /// <summary>Path to the libpython shared library; found automatically when null.</summary>
    public string? PythonLibrary { get; set; }

    /// <summary>A virtual environment whose site-packages become importable.</summary>
    public string? VirtualEnvironment { get; set; }

    /// <summary>Folders added to <c>sys.path</c>.</summary>
    public IList<string> SearchPaths { get; set; } = new List<string>();

    /// <summary>Folder of the default <see cref="IScriptStore"/>: <c>Script = "a/b.py"</c> names a file under it.</summary>
    public string? ScriptDirectory { get; set; }

    /// <summary>Time limit of a request that sets none. Default 30 s.</summary>
    public TimeSpan DefaultTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How many compiled code objects the name-keyed cache keeps (least recently used go first). Default 256.</summary>
    public int CodeCacheSize { get; set; } = 256;

    /// <summary>How many requests may wait in the queue; further callers wait for room. Default 10,000.</summary>
    public int QueueCapacity { get; set; } = 10_000;

    /// <summary>Memory limit in bytes of a request that sets none (<see cref="PythonRequest.MemoryLimit"/>).
    /// Null (the default): no limit.</summary>
    public long? DefaultMemoryLimit { get; set; }

    /// <summary>Cap in bytes on all Python allocations of the process, by requests, their tasks and Python
    /// threads alike; past it the allocating code gets <c>MemoryError</c>. Null (the default): no cap.</summary>
    public long? ProcessMemoryLimit { get; set; }
}

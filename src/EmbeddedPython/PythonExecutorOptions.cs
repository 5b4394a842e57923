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

    /// <summary>A <c>requirements.txt</c> or <c>pyproject.toml</c> installed into <see cref="VirtualEnvironment"/> (default:
    /// <c>.venv</c> beside the file) when the executor starts: the environment is created when missing, and pip
    /// (uv where it is on PATH) runs only when the file, <see cref="PipArguments"/> or the interpreter changed since the
    /// last install. pip's output goes to the log; a failed install fails the start with pip's message.</summary>
    public string? Requirements { get; set; }

    /// <summary>Arguments passed through to <c>pip install</c> (e.g. <c>--no-index</c>, <c>--find-links</c>, <c>--index-url</c>).</summary>
    public IList<string> PipArguments { get; set; } = new List<string>();

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

    /// <summary>How long a side of the hand-off may spin before it sleeps: the interpreter thread, out of work,
    /// for the next request; a caller awaiting <see cref="PythonExecutor.ExecuteValueAsync"/> or
    /// <see cref="PythonExecutor.CallValueAsync{T}"/>, for its result. A request that arrives within it costs no
    /// thread wake (5-20 µs quiet, far more on a busy machine), at the price of a core meanwhile. The spin
    /// adapts: each one that timed out halves the next (down to a sixteenth), each that paid off doubles it
    /// again, so traffic sparser than this stops paying for it; an executor with no work uses no CPU.
    /// Default 50 µs, about what the wake it may save costs, so a spin never costs more than twice the wake
    /// alone would: back-to-back requests and short calls go without wakes, and the spinner never holds a core
    /// that the process's other threads (sockets, Kestrel, NATS) need in a gap. Raise it where a core is free
    /// and requests come closer together than it (measured: one every 100 µs, 2 ms, awaited through the
    /// ValueTask forms: no wakes, 2.3 µs, for half a core); <see cref="TimeSpan.Zero"/> never spins. The first executor of the process sets the
    /// interpreter thread's.</summary>
    public TimeSpan IdleSpin { get; set; } = TimeSpan.FromMicroseconds(50);

    /// <summary>Memory limit in bytes of a request that sets none (<see cref="PythonRequest.MemoryLimit"/>).
    /// Null (the default): no limit.</summary>
    public long? DefaultMemoryLimit { get; set; }

    /// <summary>Cap in bytes on all Python allocations of the process, by requests, their tasks and Python
    /// threads alike; past it the allocating code gets <c>MemoryError</c>. Null (the default): no cap.</summary>
    public long? ProcessMemoryLimit { get; set; }

    /// <summary>The <see cref="PythonPolicy"/> of requests that set none; null (the default): no sandbox.</summary>
    public PythonPolicy? DefaultPolicy { get; set; }

    /// <summary>How many interpreters serve the executor, in parallel, each on its own thread with its own GIL:
    /// the main interpreter and <c>Interpreters - 1</c> sub-interpreters (CPython 3.12+; below it a value over 1
    /// fails the start). Each interpreter has its own modules, globals, <c>sys.path</c> entries added later and
    /// asyncio loop: requests go to the least loaded one, and <see cref="PythonRequest.Affinity"/> pins those that
    /// share state. Extension modules that do not support sub-interpreters (single-phase init) load only on the
    /// main one (<c>Affinity = "main"</c>). Sub-interpreters start with the first executor that asks for them,
    /// are shared by the executors alive meanwhile and end when the last executor using them is disposed.
    /// Default 1: one interpreter, nothing changes.</summary>
    public int Interpreters { get; set; } = 1;

    /// <summary>Lets Python code end or stop the process (<c>os._exit</c>, <c>os.abort</c>, signals aimed at the
    /// process). Default false: such calls raise <c>PermissionError</c> naming this option.</summary>
    public bool AllowProcessExit { get; set; }
}

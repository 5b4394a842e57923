using Microsoft.Extensions.Options;

namespace EmbeddedPython;

/// <summary>Checks <see cref="PythonExecutorOptions"/> at start, with messages that name the setting.</summary>
internal sealed class PythonExecutorOptionsValidator : IValidateOptions<PythonExecutorOptions>
{
    public ValidateOptionsResult Validate(string? name, PythonExecutorOptions options)
    {
        var failures = Check(options);
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    /// <summary>Each interpreter is a thread with its own GIL and a copy of every module it imports.</summary>
    private const int MaxInterpreters = 64;

    /// <summary>Longer spins only burn a core: past a few milliseconds, a thread wake costs nothing in comparison.</summary>
    private static readonly TimeSpan MaxIdleSpin = TimeSpan.FromMilliseconds(100);

    public static List<string> Check(PythonExecutorOptions options)
    {
        var failures = new List<string>();
        if (options.DefaultTimeout <= TimeSpan.Zero && options.DefaultTimeout != Timeout.InfiniteTimeSpan)
            failures.Add($"EmbeddedPython:DefaultTimeout must be positive or infinite (-00:00:00.001), not {options.DefaultTimeout}.");
        if (options.CodeCacheSize < 1)
            failures.Add($"EmbeddedPython:CodeCacheSize must be at least 1, not {options.CodeCacheSize}.");
        if (options.QueueCapacity < 1)
            failures.Add($"EmbeddedPython:QueueCapacity must be at least 1, not {options.QueueCapacity}.");
        if (options.Interpreters is < 1 or > MaxInterpreters)
            failures.Add($"EmbeddedPython:Interpreters must be between 1 and {MaxInterpreters}, not {options.Interpreters}.");
        if (options.IdleSpin < TimeSpan.Zero || options.IdleSpin > MaxIdleSpin)
            failures.Add($"EmbeddedPython:IdleSpin must be between 0 and {MaxIdleSpin.TotalMilliseconds} ms, not {options.IdleSpin}.");
        if (options.DefaultMemoryLimit is <= 0)
            failures.Add($"EmbeddedPython:DefaultMemoryLimit must be a positive number of bytes (or unset for none), not {options.DefaultMemoryLimit}.");
        if (options.ProcessMemoryLimit is <= 0)
            failures.Add($"EmbeddedPython:ProcessMemoryLimit must be a positive number of bytes (or unset for none), not {options.ProcessMemoryLimit}.");
        if (options.PythonLibrary is { Length: > 0 } library && !File.Exists(library))
            failures.Add($"EmbeddedPython:PythonLibrary '{library}' does not exist.");
        // With Requirements, a missing environment is created at start.
        if (options.VirtualEnvironment is { Length: > 0 } venv && options.Requirements is null && !File.Exists(Path.Combine(venv, "pyvenv.cfg")))
            failures.Add($"EmbeddedPython:VirtualEnvironment '{venv}' is not a virtual environment (no pyvenv.cfg).");
        if (options.Requirements is { Length: > 0 } requirements && !File.Exists(requirements))
            failures.Add($"EmbeddedPython:Requirements '{requirements}' does not exist.");
        if (options.ScriptDirectory is { Length: > 0 } scripts && !Directory.Exists(scripts))
            failures.Add($"EmbeddedPython:ScriptDirectory '{scripts}' does not exist.");
        foreach (var path in options.SearchPaths.Where(p => !Directory.Exists(p)))
            failures.Add($"EmbeddedPython:SearchPaths entry '{path}' does not exist.");
        if (options.DefaultPolicy is { } policy)
        {
            try
            {
                Policy.PolicyRules.For(policy);
            }
            catch (ArgumentException e)
            {
                failures.Add($"EmbeddedPython:DefaultPolicy: {e.Message}");
            }
        }
        return failures;
    }
}

using Microsoft.Extensions.Options;

namespace EmbeddedPython.Tasks.DependencyInjection;

/// <summary>Refuses settings that would only fail later, naming the setting.</summary>
internal sealed class PythonTasksOptionsValidator : IValidateOptions<PythonTasksOptions>
{
    public ValidateOptionsResult Validate(string? name, PythonTasksOptions options)
    {
        var failures = new List<string>();
        if (options.DefaultTimeout <= TimeSpan.Zero && options.DefaultTimeout != Timeout.InfiniteTimeSpan)
            failures.Add($"{nameof(PythonTasksOptions.DefaultTimeout)} must be positive or infinite (was {options.DefaultTimeout}).");
        if (options.DefaultMaxMemoryMegabytes < 0)
            failures.Add($"{nameof(PythonTasksOptions.DefaultMaxMemoryMegabytes)} must be 0 (no limit) or more (was {options.DefaultMaxMemoryMegabytes}).");
        if (options.WebSocketPort is < 0 or > 65535)
            failures.Add($"{nameof(PythonTasksOptions.WebSocketPort)} must be a port number, or 0 for any free port (was {options.WebSocketPort}).");
        if (options.MaxEndedTasks < 0)
            failures.Add($"{nameof(PythonTasksOptions.MaxEndedTasks)} must be 0 or more (was {options.MaxEndedTasks}).");
        if (string.IsNullOrWhiteSpace(options.WorkDirectory))
            failures.Add($"{nameof(PythonTasksOptions.WorkDirectory)} must name a folder.");
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}

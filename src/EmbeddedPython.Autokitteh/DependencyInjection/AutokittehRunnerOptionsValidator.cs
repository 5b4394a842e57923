using EmbeddedPython.Autokitteh.Protocol;
using Microsoft.Extensions.Options;

namespace EmbeddedPython.Autokitteh.DependencyInjection;

/// <summary>Refuses settings that would only fail later, naming the setting (only when the runner is enabled:
/// a host that does not serve it needs none of them).</summary>
internal sealed class AutokittehRunnerOptionsValidator : IValidateOptions<AutokittehRunnerOptions>
{
    public ValidateOptionsResult Validate(string? name, AutokittehRunnerOptions options)
    {
        if (!options.Enabled)
            return ValidateOptionsResult.Success;
        var failures = new List<string>();
        if (WorkerAddress.Parse(options.WorkerAddress) is { Error: { } error })
            failures.Add($"{nameof(AutokittehRunnerOptions.WorkerAddress)}: {error}");
        if (string.IsNullOrWhiteSpace(options.RunnerId))
            failures.Add($"{nameof(AutokittehRunnerOptions.RunnerId)} must not be empty.");
        if (!Directory.Exists(options.CodeDirectory))
            failures.Add($"{nameof(AutokittehRunnerOptions.CodeDirectory)} '{options.CodeDirectory}' is not a directory.");
        if (options.StartTimeout <= TimeSpan.Zero)
            failures.Add($"{nameof(AutokittehRunnerOptions.StartTimeout)} must be positive.");
        if (options.LivenessInterval <= TimeSpan.Zero)
            failures.Add($"{nameof(AutokittehRunnerOptions.LivenessInterval)} must be positive.");
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}

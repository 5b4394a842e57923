using Microsoft.Extensions.Options;

namespace EmbeddedPython.WasmCloud.DependencyInjection;

/// <summary>Rejects settings that could only fail later, naming the setting.</summary>
internal sealed class WasmCloudProviderOptionsValidator : IValidateOptions<WasmCloudProviderOptions>
{
    public ValidateOptionsResult Validate(string? name, WasmCloudProviderOptions options)
    {
        var failures = new List<string>();
        if (options.MaxConcurrentInvocations < 1)
            failures.Add($"{WasmCloudProviderOptions.SectionName}:MaxConcurrentInvocations must be at least 1 (was {options.MaxConcurrentInvocations}).");
        if (options.ChunkThresholdBytes < 1)
            failures.Add($"{WasmCloudProviderOptions.SectionName}:ChunkThresholdBytes must be at least 1 (was {options.ChunkThresholdBytes}).");
        if (options.InvocationTimeout is { } timeout && timeout <= TimeSpan.Zero && timeout != Timeout.InfiniteTimeSpan)
            failures.Add($"{WasmCloudProviderOptions.SectionName}:InvocationTimeout must be positive (was {timeout}).");
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}

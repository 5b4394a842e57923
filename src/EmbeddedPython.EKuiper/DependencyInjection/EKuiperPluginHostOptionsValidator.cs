using Microsoft.Extensions.Options;

namespace EmbeddedPython.EKuiper.DependencyInjection;

/// <summary>Refuses settings that would only fail later, naming the setting.</summary>
internal sealed class EKuiperPluginHostOptionsValidator : IValidateOptions<EKuiperPluginHostOptions>
{
    public ValidateOptionsResult Validate(string? name, EKuiperPluginHostOptions options)
    {
        var failures = new List<string>();
        foreach (var script in options.Plugins)
            if (!File.Exists(script))
                failures.Add($"{nameof(EKuiperPluginHostOptions.Plugins)}: the plugin script {script} does not exist.");
        if (options.KeepaliveInterval <= TimeSpan.Zero)
            failures.Add($"{nameof(EKuiperPluginHostOptions.KeepaliveInterval)} must be positive (was {options.KeepaliveInterval}).");
        if (options.FunctionCallTimeout <= TimeSpan.Zero)
            failures.Add($"{nameof(EKuiperPluginHostOptions.FunctionCallTimeout)} must be positive (was {options.FunctionCallTimeout}).");
        if (options.StartTimeout <= TimeSpan.Zero && options.StartTimeout != Timeout.InfiniteTimeSpan)
            failures.Add($"{nameof(EKuiperPluginHostOptions.StartTimeout)} must be positive or infinite (was {options.StartTimeout}).");
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}

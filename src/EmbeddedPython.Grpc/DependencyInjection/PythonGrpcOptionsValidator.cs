using EmbeddedPython.Grpc.Autokitteh;
using Microsoft.Extensions.Options;

namespace EmbeddedPython.Grpc.DependencyInjection;

/// <summary>Refuses settings that would only fail later, naming the setting.</summary>
internal sealed class PythonGrpcOptionsValidator : IValidateOptions<PythonGrpcOptions>
{
    public ValidateOptionsResult Validate(string? name, PythonGrpcOptions options)
    {
        var failures = new List<string>();
        if (options.MaxTimeout <= TimeSpan.Zero)
            failures.Add($"{nameof(PythonGrpcOptions.MaxTimeout)} must be positive (was {options.MaxTimeout}).");
        if (options.MaxMemoryLimit <= 0)
            failures.Add($"{nameof(PythonGrpcOptions.MaxMemoryLimit)} must be a positive number of bytes (was {options.MaxMemoryLimit}).");
        if (options.DefaultMemoryLimit <= 0 || options.DefaultMemoryLimit > options.MaxMemoryLimit)
            failures.Add($"{nameof(PythonGrpcOptions.DefaultMemoryLimit)} must be positive and at most {nameof(PythonGrpcOptions.MaxMemoryLimit)} ({options.MaxMemoryLimit}) (was {options.DefaultMemoryLimit}).");
        if (options.CodeDirectory is { } code && !Directory.Exists(code))
            failures.Add($"{nameof(PythonGrpcOptions.CodeDirectory)} '{code}' is not a directory.");
        var runner = options.Autokitteh;
        if (runner.Enabled)
        {
            if (WorkerAddress.Parse(runner.WorkerAddress) is { Error: { } error })
                failures.Add($"Autokitteh:{nameof(AutokittehRunnerOptions.WorkerAddress)}: {error}");
            if (string.IsNullOrWhiteSpace(runner.RunnerId))
                failures.Add($"Autokitteh:{nameof(AutokittehRunnerOptions.RunnerId)} must not be empty.");
            if (!Directory.Exists(runner.CodeDirectory))
                failures.Add($"Autokitteh:{nameof(AutokittehRunnerOptions.CodeDirectory)} '{runner.CodeDirectory}' is not a directory.");
            if (runner.StartTimeout <= TimeSpan.Zero)
                failures.Add($"Autokitteh:{nameof(AutokittehRunnerOptions.StartTimeout)} must be positive.");
            if (runner.LivenessInterval <= TimeSpan.Zero)
                failures.Add($"Autokitteh:{nameof(AutokittehRunnerOptions.LivenessInterval)} must be positive.");
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}

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
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}

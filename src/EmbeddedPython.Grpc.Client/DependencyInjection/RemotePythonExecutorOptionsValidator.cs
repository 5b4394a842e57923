using EmbeddedPython.Grpc.Client.Channels;
using Microsoft.Extensions.Options;

namespace EmbeddedPython.Grpc.Client.DependencyInjection;

/// <summary>Refuses settings that would only fail later, naming the setting.</summary>
internal sealed class RemotePythonExecutorOptionsValidator : IValidateOptions<RemotePythonExecutorOptions>
{
    public ValidateOptionsResult Validate(string? name, RemotePythonExecutorOptions options)
    {
        var failures = Failures(options);
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    public static List<string> Failures(RemotePythonExecutorOptions options)
    {
        var failures = new List<string>();
        var address = RemoteAddress.Parse(options.Address, options.UseTls, out var error);
        if (error is not null)
            failures.Add($"{nameof(RemotePythonExecutorOptions.Address)}: {error}");
        if (options.LoadBalancingPolicy is not ("round_robin" or "pick_first"))
            failures.Add($"{nameof(RemotePythonExecutorOptions.LoadBalancingPolicy)} must be round_robin or pick_first (was '{options.LoadBalancingPolicy}').");
        if (options.DnsRefreshInterval <= TimeSpan.Zero)
            failures.Add($"{nameof(RemotePythonExecutorOptions.DnsRefreshInterval)} must be positive (was {options.DnsRefreshInterval}).");
        if (options.DefaultTimeout is { } timeout && timeout <= TimeSpan.Zero && timeout != Timeout.InfiniteTimeSpan)
            failures.Add($"{nameof(RemotePythonExecutorOptions.DefaultTimeout)} must be positive or infinite (was {timeout}).");
        if (options.MaxAttempts is < 1 or > 5)
            failures.Add($"{nameof(RemotePythonExecutorOptions.MaxAttempts)} must be between 1 and 5 (was {options.MaxAttempts}).");
        if (options.InitialBackoff <= TimeSpan.Zero)
            failures.Add($"{nameof(RemotePythonExecutorOptions.InitialBackoff)} must be positive (was {options.InitialBackoff}).");
        if (address is { Tls: false } && options.BearerTokenProvider is not null && !options.AllowBearerTokenWithoutTls)
            failures.Add($"{nameof(RemotePythonExecutorOptions.BearerTokenProvider)} is set but the connection is plaintext, so the token would travel in the clear: "
                + $"use an https:// address or {nameof(RemotePythonExecutorOptions.UseTls)}, or set {nameof(RemotePythonExecutorOptions.AllowBearerTokenWithoutTls)} when something else encrypts the link.");
        return failures;
    }
}

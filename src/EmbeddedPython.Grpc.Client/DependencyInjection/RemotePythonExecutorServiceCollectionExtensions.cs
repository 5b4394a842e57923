using EmbeddedPython;
using EmbeddedPython.Grpc.Client;
using EmbeddedPython.Grpc.Client.DependencyInjection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

// Extension methods on IServiceCollection live in the DI namespace so that they are found without a using.
namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the remote Python executor.</summary>
public static class RemotePythonExecutorServiceCollectionExtensions
{
    /// <summary>
    /// Registers a singleton <see cref="IPythonExecutor"/> (and <see cref="RemotePythonExecutor"/>) that runs Python on
    /// the gRPC executor servers at <see cref="RemotePythonExecutorOptions.Address"/>:
    /// <c>services.AddRemotePythonExecutor(o =&gt; o.Address = "dns:///python.internal:5005")</c>. Register either this
    /// or <c>AddPythonExecutor()</c>: the first registered <see cref="IPythonExecutor"/> is kept. Options bind from
    /// the configuration section <c>EmbeddedPython:Remote</c> when an <see cref="IConfiguration"/> is registered (a bare
    /// <see cref="ServiceCollection"/> works too), then <paramref name="configure"/> runs; they are validated when the
    /// executor is created, and in a host when it starts.
    /// </summary>
    public static IServiceCollection AddRemotePythonExecutor(this IServiceCollection services, Action<RemotePythonExecutorOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.AddOptions<RemotePythonExecutorOptions>()
            .Configure<IServiceProvider>(static (o, sp) => sp.GetService<IConfiguration>()?.GetSection(RemotePythonExecutorOptions.SectionName).Bind(o))
            .ValidateOnStart();
        if (configure is not null)
            options.Configure(configure);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<RemotePythonExecutorOptions>, RemotePythonExecutorOptionsValidator>());
        services.TryAddSingleton(sp => new RemotePythonExecutor(
            sp.GetRequiredService<IOptions<RemotePythonExecutorOptions>>().Value,
            sp.GetService<ILoggerFactory>()));
        services.TryAddSingleton<IPythonExecutor>(sp => sp.GetRequiredService<RemotePythonExecutor>());
        return services;
    }
}

using EmbeddedPython;
using EmbeddedPython.DependencyInjection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

// Extension methods on IServiceCollection live in the DI namespace so that they are found without a using.
namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the Python executor in dependency injection.</summary>
public static class PythonExecutorServiceCollectionExtensions
{
    /// <summary>
    /// Registers a singleton <see cref="IPythonExecutor"/> (and <see cref="PythonExecutor"/>). Options bind from
    /// the configuration section <c>EmbeddedPython</c> when an <see cref="IConfiguration"/> is registered (a
    /// bare <see cref="ServiceCollection"/> gets the defaults), then <paramref name="configure"/> runs. They are
    /// validated when the executor is created, and in a host when it starts, which also starts Python so that a
    /// missing interpreter stops the host with a clear message instead of failing the first request.
    /// </summary>
    public static IServiceCollection AddPythonExecutor(this IServiceCollection services, Action<PythonExecutorOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.AddOptions<PythonExecutorOptions>()
            .Configure<IServiceProvider>(static (o, sp) => sp.GetService<IConfiguration>()?.GetSection(PythonExecutorOptions.SectionName).Bind(o))
            .ValidateOnStart();
        if (configure is not null)
            options.Configure(configure);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<PythonExecutorOptions>, PythonExecutorOptionsValidator>());
        services.TryAddSingleton(sp => new PythonExecutor(
            sp.GetRequiredService<IOptions<PythonExecutorOptions>>().Value,
            sp.GetService<ILoggerFactory>(),
            sp.GetService<IScriptStore>()));
        services.TryAddSingleton<IPythonExecutor>(sp => sp.GetRequiredService<PythonExecutor>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, PythonExecutorStartup>());
        return services;
    }

    /// <summary>Adds a health check named <paramref name="name"/> that reports whether the interpreter is serving.</summary>
    public static IHealthChecksBuilder AddPythonExecutor(this IHealthChecksBuilder builder, string name = "python")
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.AddCheck<PythonExecutorHealthCheck>(name);
    }
}

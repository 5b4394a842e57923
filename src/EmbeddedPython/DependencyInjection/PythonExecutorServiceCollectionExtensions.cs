using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using EmbeddedPython;

// Extension methods on IServiceCollection live in the DI namespace so that they are found without a using.
namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the Python executor in dependency injection.</summary>
public static class PythonExecutorServiceCollectionExtensions
{
    /// <summary>
    /// Registers a singleton <see cref="IPythonExecutor"/>. Options bind from the configuration section
    /// <c>EmbeddedPython</c>, then <paramref name="configure"/> runs; they are validated at start.
    /// </summary>
    public static IServiceCollection AddPythonExecutor(this IServiceCollection services, Action<PythonExecutorOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.AddOptions<PythonExecutorOptions>().BindConfiguration(PythonExecutorOptions.SectionName);
        if (configure is not null)
            options.Configure(configure);
        services.TryAddSingleton<IPythonExecutor>(sp => new PythonExecutor(
            sp.GetRequiredService<IOptions<PythonExecutorOptions>>().Value,
            sp.GetService<ILoggerFactory>(),
            sp.GetService<IScriptStore>()));
        return services;
    }
}

using EmbeddedPython.Tasks;
using EmbeddedPython.Tasks.DependencyInjection;
using EmbeddedPython.Tasks.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

// Extension methods on IServiceCollection live in the DI namespace so that they are found without a using.
namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the application task host.</summary>
public static class PythonTasksServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="IPythonTaskHost"/> (and the Python executor it runs on, when not registered yet) as a
    /// hosted service that serves the per-task websocket endpoint. Options start from the original's environment
    /// variables (<see cref="PythonTasksOptions.ReadOriginalEnvironment"/>), then bind from the configuration
    /// section <c>EmbeddedPython:Tasks</c> when an <see cref="IConfiguration"/> is registered (a bare
    /// <see cref="ServiceCollection"/> keeps the defaults), then <paramref name="configure"/> runs; they are
    /// validated at start.
    /// </summary>
    public static IServiceCollection AddPythonTasks(this IServiceCollection services, Action<PythonTasksOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddPythonExecutor();
        var options = services.AddOptions<PythonTasksOptions>()
            .Configure(static o => o.ReadOriginalEnvironment())
            .Configure<IServiceProvider>(static (o, sp) => sp.GetService<IConfiguration>()?.GetSection(PythonTasksOptions.SectionName).Bind(o))
            .ValidateOnStart();
        if (configure is not null)
            options.Configure(configure);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<PythonTasksOptions>, PythonTasksOptionsValidator>());
        services.TryAddSingleton<PythonTaskHost>();
        services.TryAddSingleton<IPythonTaskHost>(sp => sp.GetRequiredService<PythonTaskHost>());
        services.AddHostedService(sp => sp.GetRequiredService<PythonTaskHost>());
        return services;
    }
}

using EmbeddedPython.EKuiper;
using EmbeddedPython.EKuiper.DependencyInjection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

// Extension methods on IServiceCollection live in the DI namespace so that they are found without a using.
namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the eKuiper plugin host.</summary>
public static class EKuiperServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="EKuiperPluginHost"/> (and the Python executor it runs on, when not registered yet) as a
    /// hosted service. Options bind from the configuration section <c>EmbeddedPython:EKuiper</c> when an
    /// <see cref="IConfiguration"/> is registered (a bare <see cref="ServiceCollection"/> gets the defaults), then
    /// <paramref name="configure"/> runs; they are validated at start.
    /// </summary>
    public static IServiceCollection AddEKuiperPluginHost(this IServiceCollection services, Action<EKuiperPluginHostOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddPythonExecutor();
        var options = services.AddOptions<EKuiperPluginHostOptions>()
            .Configure<IServiceProvider>(static (o, sp) => sp.GetService<IConfiguration>()?.GetSection(EKuiperPluginHostOptions.SectionName).Bind(o))
            .ValidateOnStart();
        if (configure is not null)
            options.Configure(configure);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<EKuiperPluginHostOptions>, EKuiperPluginHostOptionsValidator>());
        services.TryAddSingleton<EKuiperPluginHost>();
        services.AddHostedService(sp => sp.GetRequiredService<EKuiperPluginHost>());
        return services;
    }
}

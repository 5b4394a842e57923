using EmbeddedPython.Vantiq;
using EmbeddedPython.Vantiq.DependencyInjection;
using EmbeddedPython.Vantiq.Diagnostics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

// Extension methods on IServiceCollection live in the DI namespace so that they are found without a using.
namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the Vantiq connector.</summary>
public static class VantiqServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="VantiqConnectorService"/> as a hosted service, and the Python executor if it is
    /// not registered yet. Options bind from the configuration section <c>EmbeddedPython:Vantiq</c> when an
    /// <see cref="IConfiguration"/> is registered (the section <c>Vantiq</c> of earlier versions still works when
    /// the new one is absent, with a deprecation warning in the log), then <paramref name="configure"/> runs, then
    /// a <c>server.config</c> file fills in what is still unset; they are validated when the host starts.
    /// </summary>
    public static IServiceCollection AddVantiqConnector(this IServiceCollection services, Action<VantiqConnectorOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddPythonExecutor();
        var options = services.AddOptions<VantiqConnectorOptions>().Configure<IServiceProvider>(Bind);
        if (configure is not null)
            options.Configure(configure);
        options.PostConfigure(ServerConfigFile.Apply).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<VantiqConnectorOptions>, VantiqConnectorOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, VantiqConnectorService>());
        return services;
    }

    private static void Bind(VantiqConnectorOptions options, IServiceProvider services)
    {
        if (services.GetService<IConfiguration>() is not { } configuration)
            return;
        var current = configuration.GetSection(VantiqConnectorOptions.SectionName);
        var legacy = configuration.GetSection(VantiqConnectorOptions.LegacySectionName);
        // One section only: binding both would append the lists (Sources) of one to the other's.
        (current.Exists() ? current : legacy).Bind(options);
        if (legacy.Exists())
        {
            var logger = services.GetService<ILoggerFactory>()?.CreateLogger(typeof(VantiqConnectorService));
            if (logger is not null && current.Exists())
                Log.DeprecatedSectionIgnored(logger, VantiqConnectorOptions.LegacySectionName, VantiqConnectorOptions.SectionName);
            else if (logger is not null)
                Log.DeprecatedSection(logger, VantiqConnectorOptions.LegacySectionName, VantiqConnectorOptions.SectionName);
        }
    }
}

using EmbeddedPython.Vantiq;
using EmbeddedPython.Vantiq.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

// Extension methods on IServiceCollection live in the DI namespace so that they are found without a using.
namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the Vantiq connector.</summary>
public static class VantiqServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="VantiqConnectorService"/> as a hosted service, and the Python executor if it is
    /// not registered yet. Options bind from the configuration section <c>Vantiq</c>, then
    /// <paramref name="configure"/> runs, then a <c>server.config</c> file fills in what is still unset;
    /// they are validated when the host starts.
    /// </summary>
    public static IServiceCollection AddVantiqConnector(this IServiceCollection services, Action<VantiqConnectorOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddPythonExecutor();
        var options = services.AddOptions<VantiqConnectorOptions>().BindConfiguration(VantiqConnectorOptions.SectionName);
        if (configure is not null)
            options.Configure(configure);
        options.PostConfigure(ServerConfigFile.Apply).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<VantiqConnectorOptions>, VantiqConnectorOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, VantiqConnectorService>());
        return services;
    }
}

using EmbeddedPython.WasmCloud;
using EmbeddedPython.WasmCloud.DependencyInjection;
using EmbeddedPython.WasmCloud.Diagnostics;
using EmbeddedPython.WasmCloud.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

// Extension methods on IServiceCollection live in the DI namespace so that they are found without a using.
namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the wasmCloud Python capability provider.</summary>
public static class WasmCloudServiceCollectionExtensions
{
    /// <summary>
    /// Adds the provider as a hosted service (and the Python executor it runs on, if not added yet). At start
    /// it reads HostData (from <see cref="WasmCloudProviderOptions.HostData"/> or standard input), loads the
    /// configured Python modules, connects to the lattice's NATS and serves invocations until the host asks
    /// it to shut down. When an <see cref="IConfiguration"/> is registered, options bind from the section
    /// <c>EmbeddedPython:WasmCloud</c> (the old section <c>WasmCloud</c> is still read, with a logged
    /// deprecation warning); then <paramref name="configure"/> runs. They are validated at start.
    /// </summary>
    public static IServiceCollection AddWasmCloudProvider(this IServiceCollection services, Action<WasmCloudProviderOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddPythonExecutor();
        var options = services.AddOptions<WasmCloudProviderOptions>().Configure<IServiceProvider>(Bind).ValidateOnStart();
        if (configure is not null)
            options.Configure(configure);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<WasmCloudProviderOptions>, WasmCloudProviderOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, WasmCloudProviderService>());
        return services;
    }

    private static void Bind(WasmCloudProviderOptions options, IServiceProvider services)
    {
        if (services.GetService<IConfiguration>() is not { } configuration)
            return;
        var deprecated = configuration.GetSection(WasmCloudProviderOptions.DeprecatedSectionName);
        if (deprecated.Exists())
        {
            var logger = services.GetService<ILoggerFactory>()?.CreateLogger<WasmCloudProviderService>();
            if (logger is not null)
                Log.DeprecatedSection(logger, WasmCloudProviderOptions.DeprecatedSectionName, WasmCloudProviderOptions.SectionName);
            deprecated.Bind(options);
        }
        configuration.GetSection(WasmCloudProviderOptions.SectionName).Bind(options);
    }
}

using EmbeddedPython.WasmCloud;
using EmbeddedPython.WasmCloud.Hosting;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

// Extension methods on IServiceCollection live in the DI namespace so that they are found without a using.
namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the wasmCloud Python capability provider.</summary>
public static class WasmCloudServiceCollectionExtensions
{
    /// <summary>
    /// Adds the provider as a hosted service (and the Python executor it runs on, if not added yet). At start
    /// it reads HostData (from <see cref="WasmCloudProviderOptions.HostData"/> or standard input), imports the
    /// configured Python modules, connects to the lattice's NATS and serves invocations until the host asks
    /// it to shut down. Options bind from configuration section <c>WasmCloud</c> and are validated at start.
    /// </summary>
    public static IServiceCollection AddWasmCloudProvider(this IServiceCollection services, Action<WasmCloudProviderOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddPythonExecutor();
        var options = services.AddOptions<WasmCloudProviderOptions>().BindConfiguration(WasmCloudProviderOptions.SectionName).ValidateOnStart();
        if (configure is not null)
            options.Configure(configure);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<WasmCloudProviderOptions>, WasmCloudProviderOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, WasmCloudProviderService>());
        return services;
    }
}

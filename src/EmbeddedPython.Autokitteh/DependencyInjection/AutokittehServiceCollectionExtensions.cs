using EmbeddedPython.Autokitteh;
using EmbeddedPython.Autokitteh.DependencyInjection;
using EmbeddedPython.Autokitteh.Diagnostics;
using EmbeddedPython.Autokitteh.Hosting;
using EmbeddedPython.Autokitteh.Protocol;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

// Extension methods on IServiceCollection live in the DI namespace so that they are found without a using.
namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the autokitteh-compatible Python runner.</summary>
public static class AutokittehServiceCollectionExtensions
{
    /// <summary>
    /// Registers the runner (<c>autokitteh.user_code.v1.RunnerService</c>, served when
    /// <see cref="AutokittehRunnerOptions.Enabled"/> is set, with its start-up checks) and what it shares with the
    /// executor service through <c>AddPythonGrpcServices()</c>: gRPC, the interpreter's health and the exposure
    /// check (<c>EmbeddedPython:Grpc:AllowAnonymous</c>). Options bind from the configuration section
    /// <c>EmbeddedPython:Autokitteh</c> when an <see cref="IConfiguration"/> is registered (the old section
    /// <c>EmbeddedPython:Grpc:Autokitteh</c> is still read, with a deprecation warning), then
    /// <paramref name="configure"/> runs; they are validated at start. Map the service with
    /// <c>app.MapAutokittehRunner()</c>.
    /// </summary>
    public static IServiceCollection AddAutokittehRunner(this IServiceCollection services, Action<AutokittehRunnerOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddPythonGrpcServices();
        var options = services.AddOptions<AutokittehRunnerOptions>();
        if (!services.Any(d => d.ServiceType == typeof(RunnerSession)))
        {
            options.Configure<IServiceProvider>(static (o, sp) => Bind(o, sp)).ValidateOnStart();
            services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<AutokittehRunnerOptions>, AutokittehRunnerOptionsValidator>());
            services.TryAddSingleton<RunnerExit>();
            services.TryAddSingleton<WorkerLink>();
            services.TryAddSingleton<Syscalls>();
            services.TryAddSingleton<LargeObjects>();
            services.TryAddSingleton<RunnerSession>();
            services.AddHostedService<RunnerLifetime>();
        }
        if (configure is not null)
            options.Configure(configure);
        return services;
    }

    private static void Bind(AutokittehRunnerOptions options, IServiceProvider services)
    {
        if (services.GetService<IConfiguration>() is not { } configuration)
            return;
        var obsolete = configuration.GetSection(AutokittehRunnerOptions.ObsoleteSectionName);
        if (obsolete.Exists())
        {
            var logger = services.GetService<ILoggerFactory>()?.CreateLogger(typeof(AutokittehRunnerOptions)) ?? NullLogger.Instance;
            logger.ObsoleteSection(AutokittehRunnerOptions.ObsoleteSectionName, AutokittehRunnerOptions.SectionName);
            obsolete.Bind(options);
        }
        // The current section wins where both set a value.
        configuration.GetSection(AutokittehRunnerOptions.SectionName).Bind(options);
    }
}

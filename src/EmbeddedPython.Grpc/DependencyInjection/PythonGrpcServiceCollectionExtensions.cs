using EmbeddedPython.Grpc;
using EmbeddedPython.Grpc.DependencyInjection;
using EmbeddedPython.Grpc.Executor;
using EmbeddedPython.Grpc.Hosting;
using EmbeddedPython.Grpc.Security;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

// Extension methods on IServiceCollection live in the DI namespace so that they are found without a using.
namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the gRPC services of EmbeddedPython.</summary>
public static class PythonGrpcServiceCollectionExtensions
{
    /// <summary>The service name the standard <c>grpc.health.v1.Health</c> service reports for the executor.</summary>
    public const string HealthServiceName = "embeddedpython.executor.v1.PythonExecutor";

    /// <summary>The name of the interpreter's health check that the health services report.</summary>
    public const string PythonHealthCheckName = "embedded-python";

    /// <summary>
    /// Registers gRPC, the executor service, the standard health and reflection services and the start-up
    /// exposure check. Also registers the <see cref="EmbeddedPython.IPythonExecutor"/> unless one is registered
    /// already. Options bind from the configuration section <c>EmbeddedPython:Grpc</c> when an
    /// <see cref="IConfiguration"/> is registered, then <paramref name="configure"/> runs; they are validated at
    /// start. Calling it again (as <c>AddAutokittehRunner()</c> does) registers nothing twice and only adds the
    /// delegate. Map the endpoints with <c>app.MapPythonExecutor()</c>. The host refuses to start when a service
    /// that runs Python listens beyond loopback without authorization (see <see cref="PythonGrpcOptions.AllowAnonymous"/>).
    /// </summary>
    public static IServiceCollection AddPythonGrpcServices(this IServiceCollection services, Action<PythonGrpcOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.AddOptions<PythonGrpcOptions>();
        if (services.Any(d => d.ServiceType == typeof(ExecutorServiceState)))
        {
            if (configure is not null)
                options.Configure(configure);
            return services;
        }
        // Configuration first, so that the delegate overrides it.
        options.Configure<IServiceProvider>(static (o, sp) => sp.GetService<IConfiguration>()?.GetSection(PythonGrpcOptions.SectionName).Bind(o))
            .ValidateOnStart();
        if (configure is not null)
            options.Configure(configure);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<PythonGrpcOptions>, PythonGrpcOptionsValidator>());

        services.AddPythonExecutor();
        services.AddGrpc();
        services.AddGrpcReflection();
        services.AddGrpcHealthChecks(health =>
        {
            health.Services.Map(HealthServiceName, check => check.Name == PythonHealthCheckName);
            health.Services.Map("", check => check.Name == PythonHealthCheckName);
            health.UseHealthChecksCache = false;
        }).AddPythonExecutor(PythonHealthCheckName);

        services.TryAddSingleton<InterpreterHealth>();
        services.TryAddSingleton<RequestTranslator>();
        services.TryAddSingleton<ExecutorServiceState>();
        services.TryAddSingleton<CallHandler>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, ExposureCheck>());
        return services;
    }
}

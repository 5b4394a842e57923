using System.Collections.Concurrent;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EmbeddedPython.Autokitteh.Tests.DependencyInjection;

public sealed class RegistrationTests
{
    private readonly ConcurrentQueue<(LogLevel Level, string Message)> _logged = new();

    private ServiceProvider Build(Dictionary<string, string?> settings, Action<AutokittehRunnerOptions>? configure = null)
    {
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(settings).Build());
        services.AddLogging(logging => logging.AddProvider(new RecordingProvider(_logged)));
        services.AddAutokittehRunner(configure);
        return services.BuildServiceProvider();
    }

    [Fact]
    public void Options_bind_from_the_EmbeddedPython_Autokitteh_section_then_the_delegate_runs()
    {
        var directory = Path.GetTempPath();
        using var provider = Build(new()
        {
            ["EmbeddedPython:Autokitteh:Enabled"] = "true",
            ["EmbeddedPython:Autokitteh:WorkerAddress"] = "127.0.0.1:9980",
            ["EmbeddedPython:Autokitteh:CodeDirectory"] = directory,
            ["EmbeddedPython:Autokitteh:RunnerId"] = "runner_from_config",
        }, o => o.RunnerId = "runner_from_code");

        var options = provider.GetRequiredService<IOptions<AutokittehRunnerOptions>>().Value;

        Assert.Equal((true, "127.0.0.1:9980", directory, "runner_from_code"), (options.Enabled, options.WorkerAddress, options.CodeDirectory, options.RunnerId));
        Assert.DoesNotContain(_logged, l => l.Level == LogLevel.Warning);
    }

    [Fact]
    public void The_old_EmbeddedPython_Grpc_Autokitteh_section_still_binds_and_a_warning_names_both_sections()
    {
        var directory = Path.GetTempPath();
        using var provider = Build(new()
        {
            ["EmbeddedPython:Grpc:Autokitteh:Enabled"] = "true",
            ["EmbeddedPython:Grpc:Autokitteh:WorkerAddress"] = "127.0.0.1:9980",
            ["EmbeddedPython:Grpc:Autokitteh:CodeDirectory"] = directory,
            ["EmbeddedPython:Grpc:Autokitteh:RunnerId"] = "runner_old",
            ["EmbeddedPython:Autokitteh:RunnerId"] = "runner_new",
        });

        var options = provider.GetRequiredService<IOptions<AutokittehRunnerOptions>>().Value;

        Assert.Equal((true, "127.0.0.1:9980", "runner_new"), (options.Enabled, options.WorkerAddress, options.RunnerId));
        var warning = Assert.Single(_logged, l => l.Level == LogLevel.Warning).Message;
        Assert.Contains("'EmbeddedPython:Grpc:Autokitteh' is deprecated", warning, StringComparison.Ordinal);
        Assert.Contains("'EmbeddedPython:Autokitteh'", warning, StringComparison.Ordinal);
    }

    [Fact]
    public void Invalid_settings_of_an_enabled_runner_are_refused_naming_each_setting()
    {
        using var provider = Build(new()
        {
            ["EmbeddedPython:Autokitteh:Enabled"] = "true",
            ["EmbeddedPython:Autokitteh:WorkerAddress"] = "no-port",
            ["EmbeddedPython:Autokitteh:CodeDirectory"] = "/no/such/code",
        });

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<AutokittehRunnerOptions>>().Value);

        Assert.Contains(error.Failures, f => f.Contains("WorkerAddress", StringComparison.Ordinal));
        Assert.Contains(error.Failures, f => f.Contains("CodeDirectory '/no/such/code'", StringComparison.Ordinal));
    }

    [Fact]
    public void A_bare_service_collection_without_configuration_gets_the_defaults_and_the_executor_service_too()
    {
        var services = new ServiceCollection();
        services.AddAutokittehRunner(o => o.RunnerId = "runner_bare");
        using var provider = services.BuildServiceProvider();

        var options = provider.GetRequiredService<IOptions<AutokittehRunnerOptions>>().Value;

        Assert.Equal((false, "runner_bare", "localhost:9292"), (options.Enabled, options.RunnerId, options.WorkerAddress));
        Assert.NotNull(provider.GetRequiredService<IOptions<PythonGrpcOptions>>().Value);
    }

    private sealed class RecordingProvider(ConcurrentQueue<(LogLevel, string)> logged) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new Recorder(logged);

        public void Dispose()
        {
        }

        private sealed class Recorder(ConcurrentQueue<(LogLevel, string)> logged) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                logged.Enqueue((logLevel, formatter(state, exception)));
        }
    }
}

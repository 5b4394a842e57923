using System.Collections.Concurrent;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EmbeddedPython.WasmCloud.Tests.DependencyInjection;

/// <summary>Where AddWasmCloudProvider reads its options from: EmbeddedPython:WasmCloud, the old WasmCloud
/// section with a deprecation warning, or nothing at all in a bare ServiceCollection.</summary>
public sealed class ConfigurationSectionTests
{
    private static (WasmCloudProviderOptions Options, IReadOnlyCollection<string> Warnings) Resolve(Dictionary<string, string?> settings)
    {
        var logs = new CollectingLoggerProvider();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(settings).Build());
        services.AddLogging(builder => builder.AddProvider(logs));
        services.AddWasmCloudProvider();
        using var provider = services.BuildServiceProvider();
        return (provider.GetRequiredService<IOptions<WasmCloudProviderOptions>>().Value, logs.Warnings);
    }

    [Fact]
    public void Options_bind_from_the_EmbeddedPython_WasmCloud_section_without_a_warning()
    {
        var (options, warnings) = Resolve(new() { ["EmbeddedPython:WasmCloud:PythonDispatch"] = "/srv/dispatch.py", ["EmbeddedPython:WasmCloud:VerifyClaims"] = "false" });

        Assert.Equal("/srv/dispatch.py", options.PythonDispatch);
        Assert.False(options.VerifyClaims);
        Assert.Empty(warnings);
    }

    [Fact]
    public void The_old_WasmCloud_section_still_binds_and_a_warning_names_both_sections()
    {
        var (options, warnings) = Resolve(new() { ["WasmCloud:PythonDispatch"] = "/old/dispatch.py", ["WasmCloud:MaxConcurrentInvocations"] = "7" });

        Assert.Equal("/old/dispatch.py", options.PythonDispatch);
        Assert.Equal(7, options.MaxConcurrentInvocations);
        var warning = Assert.Single(warnings);
        Assert.Contains("WasmCloud is deprecated", warning);
        Assert.Contains("EmbeddedPython:WasmCloud", warning);
    }

    [Fact]
    public void Where_both_sections_set_a_value_the_new_one_wins()
    {
        var (options, _) = Resolve(new() { ["WasmCloud:PythonDispatch"] = "/old/dispatch.py", ["EmbeddedPython:WasmCloud:PythonDispatch"] = "/new/dispatch.py" });

        Assert.Equal("/new/dispatch.py", options.PythonDispatch);
    }

    [Fact]
    public void A_bare_ServiceCollection_without_configuration_gets_the_defaults_and_the_configure_callback()
    {
        using var provider = new ServiceCollection().AddWasmCloudProvider(o => o.PythonDispatch = "/code/dispatch.py").BuildServiceProvider();

        var options = provider.GetRequiredService<IOptions<WasmCloudProviderOptions>>().Value;
        Assert.Equal("/code/dispatch.py", options.PythonDispatch);
        Assert.True(options.VerifyClaims);
    }

    private sealed class CollectingLoggerProvider : ILoggerProvider
    {
        private readonly ConcurrentQueue<string> _warnings = new();

        public IReadOnlyCollection<string> Warnings => _warnings;

        public ILogger CreateLogger(string categoryName) => new Collector(_warnings);

        public void Dispose()
        {
        }

        private sealed class Collector(ConcurrentQueue<string> warnings) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                if (logLevel == LogLevel.Warning)
                    warnings.Enqueue(formatter(state, exception));
            }
        }
    }
}

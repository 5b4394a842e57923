using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace EmbeddedPython.Grpc.Tests.DependencyInjection;

public sealed class RegistrationTests
{
    private static ServiceProvider Build(Dictionary<string, string?> settings, Action<PythonGrpcOptions>? configure = null)
    {
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(settings).Build());
        services.AddLogging();
        services.AddPythonGrpcServices(configure);
        return services.BuildServiceProvider();
    }

    [Fact]
    public void Options_bind_from_the_EmbeddedPython_Grpc_section_then_the_delegate_runs()
    {
        using var provider = Build(new()
        {
            ["EmbeddedPython:Grpc:MaxTimeout"] = "00:00:05",
            ["EmbeddedPython:Grpc:MaxMemoryLimit"] = "1000000000",
        }, o => o.MaxMemoryLimit = 2_000_000_000);

        var options = provider.GetRequiredService<IOptions<PythonGrpcOptions>>().Value;

        Assert.Equal((TimeSpan.FromSeconds(5), 2_000_000_000L), (options.MaxTimeout, options.MaxMemoryLimit));
    }

    [Fact]
    public void A_bare_service_collection_without_configuration_gets_the_defaults()
    {
        var services = new ServiceCollection();
        services.AddPythonGrpcServices(o => o.AllowAnonymous = true);
        using var provider = services.BuildServiceProvider();

        var options = provider.GetRequiredService<IOptions<PythonGrpcOptions>>().Value;

        Assert.Equal((TimeSpan.FromMinutes(10), true), (options.MaxTimeout, options.AllowAnonymous));
    }

    [Fact]
    public void Registering_twice_registers_the_services_once_and_runs_both_delegates()
    {
        var services = new ServiceCollection();
        services.AddPythonGrpcServices(o => o.MaxTimeout = TimeSpan.FromSeconds(3));
        var count = services.Count;
        services.AddPythonGrpcServices(o => o.AllowAnonymous = true);
        using var provider = services.BuildServiceProvider();

        var options = provider.GetRequiredService<IOptions<PythonGrpcOptions>>().Value;

        Assert.Equal(count + 1, services.Count); // the second delegate only
        Assert.Equal((TimeSpan.FromSeconds(3), true), (options.MaxTimeout, options.AllowAnonymous));
    }

    [Fact]
    public void Invalid_options_are_refused_naming_each_setting()
    {
        using var provider = Build(new()
        {
            ["EmbeddedPython:Grpc:MaxTimeout"] = "-00:00:01",
            ["EmbeddedPython:Grpc:CodeDirectory"] = "/no/such/code",
        });

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<PythonGrpcOptions>>().Value);

        Assert.Contains(error.Failures, f => f.Contains("MaxTimeout", StringComparison.Ordinal));
        Assert.Contains(error.Failures, f => f.Contains("CodeDirectory '/no/such/code'", StringComparison.Ordinal));
    }
}

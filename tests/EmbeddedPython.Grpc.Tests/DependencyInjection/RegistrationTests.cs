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
        var directory = Path.GetTempPath();
        using var provider = Build(new()
        {
            ["EmbeddedPython:Grpc:MaxTimeout"] = "00:00:05",
            ["EmbeddedPython:Grpc:Autokitteh:Enabled"] = "true",
            ["EmbeddedPython:Grpc:Autokitteh:WorkerAddress"] = "127.0.0.1:9980",
            ["EmbeddedPython:Grpc:Autokitteh:CodeDirectory"] = directory,
            ["EmbeddedPython:Grpc:Autokitteh:RunnerId"] = "runner_from_config",
        }, o => o.Autokitteh.RunnerId = "runner_from_code");

        var options = provider.GetRequiredService<IOptions<PythonGrpcOptions>>().Value;

        Assert.Equal(TimeSpan.FromSeconds(5), options.MaxTimeout);
        Assert.Equal(("127.0.0.1:9980", directory, "runner_from_code"), (options.Autokitteh.WorkerAddress, options.Autokitteh.CodeDirectory, options.Autokitteh.RunnerId));
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

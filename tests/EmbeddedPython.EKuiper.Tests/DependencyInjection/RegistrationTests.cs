using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace EmbeddedPython.EKuiper.Tests.DependencyInjection;

public sealed class RegistrationTests
{
    private static ServiceProvider Build(Dictionary<string, string?> settings)
    {
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(settings).Build());
        services.AddLogging();
        services.AddEKuiperPluginHost();
        return services.BuildServiceProvider();
    }

    [Fact]
    public void Options_bind_from_the_EmbeddedPython_EKuiper_section()
    {
        using var provider = Build(new()
        {
            ["EmbeddedPython:EKuiper:Plugins:0"] = PluginHostFixture.Plugin("pysam"),
            ["EmbeddedPython:EKuiper:KeepaliveInterval"] = "00:00:02",
            ["EmbeddedPython:EKuiper:StopWhenControlLost"] = "true",
        });
        var options = provider.GetRequiredService<IOptions<EKuiperPluginHostOptions>>().Value;
        Assert.Equal([PluginHostFixture.Plugin("pysam")], options.Plugins);
        Assert.Equal(TimeSpan.FromSeconds(2), options.KeepaliveInterval);
        Assert.True(options.StopWhenControlLost);
    }

    [Fact]
    public async Task A_bare_service_collection_without_configuration_or_logging_builds_the_host_with_the_defaults()
    {
        await using var provider = new ServiceCollection().AddEKuiperPluginHost().BuildServiceProvider();
        Assert.Equal(TimeSpan.FromSeconds(5), provider.GetRequiredService<IOptions<EKuiperPluginHostOptions>>().Value.KeepaliveInterval);
        Assert.Empty(provider.GetRequiredService<EKuiperPluginHost>().Plugins);
    }

    [Fact]
    public void Validation_names_each_wrong_setting()
    {
        using var provider = Build(new()
        {
            ["EmbeddedPython:EKuiper:Plugins:0"] = "/nowhere/missing.py",
            ["EmbeddedPython:EKuiper:KeepaliveInterval"] = "00:00:00",
        });
        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<EKuiperPluginHostOptions>>().Value);
        Assert.Contains("the plugin script /nowhere/missing.py does not exist", error.Message);
        Assert.Contains("KeepaliveInterval must be positive", error.Message);
    }
}

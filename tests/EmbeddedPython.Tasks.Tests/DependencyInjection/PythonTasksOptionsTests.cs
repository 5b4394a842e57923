using EmbeddedPython.Tasks.DependencyInjection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace EmbeddedPython.Tasks.Tests.DependencyInjection;

/// <summary>Settings: the original's defaults, its environment variables, and refusing bad values by name.
/// In the host's collection so that the variables set here never meet the host reading its options.</summary>
[Collection(TaskHostCollection.Name)]
public sealed class PythonTasksOptionsTests
{
    [Fact]
    public void Defaults_are_the_originals_300_s_100_MB_and_port_18564()
    {
        var options = new PythonTasksOptions();

        Assert.Equal(TimeSpan.FromSeconds(300), options.DefaultTimeout);
        Assert.Equal(100, options.DefaultMaxMemoryMegabytes);
        Assert.Equal(18564, options.WebSocketPort);
    }

    [Fact]
    public void The_originals_environment_variables_set_the_defaults()
    {
        Environment.SetEnvironmentVariable("DEFAULT_TASK_TIMEOUT_SEC", "12");
        Environment.SetEnvironmentVariable("DEFAULT_TASK_MAX_MEMORY_MB", "34");
        try
        {
            var options = new PythonTasksOptions();
            options.ReadOriginalEnvironment();

            Assert.Equal(TimeSpan.FromSeconds(12), options.DefaultTimeout);
            Assert.Equal(34, options.DefaultMaxMemoryMegabytes);
            Environment.SetEnvironmentVariable("DEFAULT_TASK_MAX_MEMORY_MB", "lots");
            var error = Assert.Throws<FormatException>(options.ReadOriginalEnvironment);
            Assert.Contains("DEFAULT_TASK_MAX_MEMORY_MB", error.Message);
        }
        finally
        {
            Environment.SetEnvironmentVariable("DEFAULT_TASK_TIMEOUT_SEC", null);
            Environment.SetEnvironmentVariable("DEFAULT_TASK_MAX_MEMORY_MB", null);
        }
    }

    [Fact]
    public void Bad_settings_are_refused_naming_each_one()
    {
        var result = new PythonTasksOptionsValidator().Validate(null, new PythonTasksOptions
        {
            DefaultTimeout = TimeSpan.Zero,
            DefaultMaxMemoryMegabytes = -1,
            WebSocketPort = 70000,
            WorkDirectory = " ",
            MaxEndedTasks = -1,
        });

        Assert.True(result.Failed);
        Assert.Equal(5, result.Failures!.Count());
        Assert.Contains(result.Failures!, f => f.StartsWith("MaxEndedTasks", StringComparison.Ordinal));
        Assert.Contains(result.Failures!, f => f.StartsWith("DefaultTimeout", StringComparison.Ordinal));
        Assert.Contains(result.Failures!, f => f.StartsWith("DefaultMaxMemoryMegabytes", StringComparison.Ordinal));
        Assert.Contains(result.Failures!, f => f.StartsWith("WebSocketPort", StringComparison.Ordinal));
        Assert.Contains(result.Failures!, f => f.StartsWith("WorkDirectory", StringComparison.Ordinal));
        Assert.True(new PythonTasksOptionsValidator().Validate(null, new PythonTasksOptions()).Succeeded);
    }

    [Fact]
    public void A_bare_service_collection_gets_the_defaults_without_any_configuration()
    {
        using var services = new ServiceCollection().AddLogging().AddPythonTasks().BuildServiceProvider();

        var options = services.GetRequiredService<IOptions<PythonTasksOptions>>().Value;

        Assert.Equal(TimeSpan.FromSeconds(300), options.DefaultTimeout);
        Assert.Equal(18564, options.WebSocketPort);
    }

    [Fact]
    public void A_registered_configuration_binds_the_section_EmbeddedPython_Tasks_and_code_wins_over_it()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["EmbeddedPython:Tasks:DefaultMaxMemoryMegabytes"] = "7",
            ["EmbeddedPython:Tasks:WebSocketPort"] = "1234",
        }).Build();
        using var services = new ServiceCollection().AddLogging().AddSingleton<IConfiguration>(configuration)
            .AddPythonTasks(o => o.WebSocketPort = 4321).BuildServiceProvider();

        var options = services.GetRequiredService<IOptions<PythonTasksOptions>>().Value;

        Assert.Equal(7, options.DefaultMaxMemoryMegabytes);
        Assert.Equal(4321, options.WebSocketPort);
    }
}

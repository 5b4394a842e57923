using EmbeddedPython.Vantiq.DependencyInjection;
using EmbeddedPython.Vantiq.Protocol;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EmbeddedPython.Vantiq.Tests.DependencyInjection;

/// <summary>Vantiq spec 1.1 and 2: URL derivation, server.config, .NET options.</summary>
public sealed class ConfigurationTests
{
    [Theory]
    [InlineData("https://dev.vantiq.com", "wss://dev.vantiq.com/api/v1/wsock/websocket")]
    [InlineData("https://dev.vantiq.com/", "wss://dev.vantiq.com/api/v1/wsock/websocket")]
    [InlineData("http://localhost:8080", "ws://localhost:8080/api/v1/wsock/websocket")]
    [InlineData("https://host/prefix/api/v1/wsock/websocket", "wss://host/prefix/api/v1/wsock/websocket")]
    [InlineData("https://host/api/v1/wsock/websocket/", "wss://host/api/v1/wsock/websocket")]
    [InlineData("wss://host/api/v2/wsock/websocket", "wss://host/api/v2/wsock/websocket")]
    [InlineData("https://host?x=1", "wss://host/api/v1/wsock/websocket?x=1")]
    [InlineData("ws://h:1/x", "ws://h:1/x/api/v1/wsock/websocket")]
    [InlineData("https://host/ui/foo", "wss://host/ui/foo/api/v1/wsock/websocket")]
    [InlineData("dev.vantiq.com", "wss://dev.vantiq.com/api/v1/wsock/websocket")]
    [InlineData("HTTPS://Dev.Vantiq.com", "wss://dev.vantiq.com/api/v1/wsock/websocket")]
    public void The_websocket_url_follows_the_python_rule_keeping_prefixes_and_bare_hosts(string target, string expected) =>
        Assert.Equal(expected, VantiqUrls.WebSocket(target).ToString());

    [Theory]
    [InlineData("wss://dev.vantiq.com/api/v1/wsock/websocket", "https://dev.vantiq.com/")]
    [InlineData("ws://localhost:8080/api/v1/wsock/websocket?x=1", "http://localhost:8080/")]
    [InlineData("wss://host/prefix/api/v1/wsock/websocket", "https://host/prefix/")]
    public void The_rest_base_is_scheme_host_port_and_prefix(string webSocket, string expected) =>
        Assert.Equal(expected, VantiqUrls.RestBase(new Uri(webSocket)).ToString());

    [Theory]
    [InlineData("ftp://host")]
    [InlineData("https://")]
    public void An_unusable_target_server_is_named_in_the_error(string target)
    {
        var error = Assert.Throws<ArgumentException>(() => VantiqUrls.WebSocket(target));
        Assert.Contains(target, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Java_properties_are_read_with_separators_comments_continuations_and_escapes()
    {
        var properties = JavaProperties.Parse(
            "# comment\n! also a comment\n  targetServer = https://dev.vantiq.com\nauthToken:abc\\\n   def\nsources pySrc, other\nescaped=a\\tb\\u0041\\\\\nempty=\n");
        Assert.Equal("https://dev.vantiq.com", properties["targetServer"]);
        Assert.Equal("abcdef", properties["authToken"]);
        Assert.Equal("pySrc, other", properties["sources"]);
        Assert.Equal("a\tbA\\", properties["escaped"]);
        Assert.Equal("", properties["empty"]);
        Assert.Equal(5, properties.Count);
    }

    [Fact]
    public void Server_config_fills_unset_options_removes_spaces_from_sources_and_parses_booleans()
    {
        var options = new VantiqConnectorOptions { AuthToken = "from-dotnet" };
        ServerConfigFile.Apply(options, JavaProperties.Parse(
            "targetServer=https://dev.vantiq.com\nauthToken=from-file\nsources= a , b c\nsendPings=false\nfailOnConnectionError=true\n"
            + "reconnectSecret=fixed\ntcpProbePort=9000\nconnectKWArgs={\"disableSslVerification\": true}\n"));
        Assert.Equal("https://dev.vantiq.com", options.TargetServer);
        Assert.Equal("from-dotnet", options.AuthToken);
        Assert.Equal(["a", "bc"], options.Sources);
        Assert.False(options.SendPings);
        Assert.True(options.FailOnConnectionError);
        Assert.Equal("fixed", options.ReconnectSecret);
        Assert.Equal(9000, options.TcpProbePort);
        Assert.True(options.DisableSslVerification);
    }

    [Fact]
    public void Invalid_connectKWArgs_is_reported_as_the_original_does()
    {
        var error = Assert.Throws<FormatException>(() => ServerConfigFile.Apply(new VantiqConnectorOptions(),
            new Dictionary<string, string> { ["connectKWArgs"] = "{not json" }));
        Assert.Equal("connectKWArgs did not contain valid JSON string.", error.Message);
    }

    [Fact]
    public void AddVantiqConnector_binds_the_EmbeddedPython_Vantiq_section_reads_server_config_and_validates_at_start()
    {
        var folder = Directory.CreateTempSubdirectory("vantiq-config-");
        try
        {
            var file = Path.Combine(folder.FullName, "server.config");
            File.WriteAllText(file, "targetServer=http://127.0.0.1:9\nsources=fromFile\nauthToken=t\n");
            var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["EmbeddedPython:Vantiq:ServerConfigFile"] = file,
                ["EmbeddedPython:Vantiq:QueryTimeout"] = "00:00:05",
            }).Build();
            var services = new ServiceCollection().AddSingleton<IConfiguration>(configuration).AddLogging();
            services.AddVantiqConnector(o => o.ReconnectSecret = "s");
            Assert.Contains(services, d => d.ServiceType == typeof(IHostedService) && d.ImplementationType == typeof(VantiqConnectorService));
            // Only the options are resolved: the executor (one CPython per process) belongs to the other tests.
            using var provider = services.BuildServiceProvider();
            var options = provider.GetRequiredService<IOptions<VantiqConnectorOptions>>().Value;
            Assert.Equal("http://127.0.0.1:9", options.TargetServer);
            Assert.Equal(["fromFile"], options.Sources);
            Assert.Equal(TimeSpan.FromSeconds(5), options.QueryTimeout);
            Assert.Equal("s", options.ReconnectSecret);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [Fact]
    public void Missing_settings_are_named_when_validated()
    {
        var result = new VantiqConnectorOptionsValidator().Validate(null, new VantiqConnectorOptions { QueryTimeout = TimeSpan.Zero });
        var twice = new VantiqConnectorOptionsValidator().Validate(null, new VantiqConnectorOptions { TargetServer = "https://h", Sources = ["a", "a"] });
        Assert.Equal(["EmbeddedPython:Vantiq:Sources names source 'a' more than once; each source has one connection."], twice.Failures!);
        Assert.True(result.Failed);
        Assert.Contains(result.Failures!, f => f.Contains("TargetServer", StringComparison.Ordinal));
        Assert.Contains(result.Failures!, f => f.Contains("Sources", StringComparison.Ordinal));
        Assert.Contains(result.Failures!, f => f.Contains("QueryTimeout", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void The_old_Vantiq_section_still_binds_with_a_deprecation_warning_and_yields_to_the_new_one(bool newSectionToo)
    {
        var settings = new Dictionary<string, string?> { ["Vantiq:TargetServer"] = "http://old:1", ["Vantiq:Sources:0"] = "oldSource" };
        if (newSectionToo)
        {
            settings["EmbeddedPython:Vantiq:TargetServer"] = "http://new:1";
            settings["EmbeddedPython:Vantiq:Sources:0"] = "newSource";
        }
        var logs = new LogCollector();
        var services = new ServiceCollection()
            .AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(settings).Build())
            .AddLogging(logging => logging.AddProvider(logs));
        services.AddVantiqConnector(o => o.ServerConfigFile = null);
        using var provider = services.BuildServiceProvider();
        var options = provider.GetRequiredService<IOptions<VantiqConnectorOptions>>().Value;

        Assert.Equal(newSectionToo ? "http://new:1" : "http://old:1", options.TargetServer);
        Assert.Equal([newSectionToo ? "newSource" : "oldSource"], options.Sources);
        var warning = Assert.Single(logs.Messages, m => m.Level == LogLevel.Warning);
        Assert.Contains("Vantiq", warning.Text, StringComparison.Ordinal);
        Assert.Contains("EmbeddedPython:Vantiq", warning.Text, StringComparison.Ordinal);
        Assert.Contains(newSectionToo ? "ignored" : "deprecated", warning.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void AddVantiqConnector_works_from_a_bare_service_collection()
    {
        var services = new ServiceCollection();
        services.AddVantiqConnector(o =>
        {
            o.TargetServer = "http://127.0.0.1:9";
            o.Sources = ["bare"];
            o.ServerConfigFile = null;
        });
        using var provider = services.BuildServiceProvider();
        var options = provider.GetRequiredService<IOptions<VantiqConnectorOptions>>().Value;
        Assert.Equal(["bare"], options.Sources);
        Assert.Equal("http://127.0.0.1:9", options.TargetServer);
    }

    private sealed class LogCollector : ILoggerProvider, ILogger
    {
        public List<(LogLevel Level, string Text)> Messages { get; } = [];

        public ILogger CreateLogger(string categoryName) => this;

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (Messages)
                Messages.Add((logLevel, formatter(state, exception)));
        }

        public void Dispose()
        {
        }
    }
}

using EmbeddedPython.Vantiq.Tests.FakeVantiq;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace EmbeddedPython.Vantiq.Tests.Hosting;

/// <summary>The connector the way an application runs it: a generic host, AddVantiqConnector, a server.config file.</summary>
[Collection(PythonCollection.Name)]
public sealed class HostTests(PythonFixture python)
{
    [Fact]
    public async Task A_host_with_AddVantiqConnector_and_a_server_config_file_answers_queries()
    {
        await using var server = await FakeVantiqServer.StartAsync();
        var folder = Directory.CreateTempSubdirectory("vantiq-host-");
        try
        {
            var file = Path.Combine(folder.FullName, "server.config");
            await File.WriteAllTextAsync(file, $"targetServer={server.BaseUri}\nauthToken={server.Token}\nsources=pySrc\n");
            var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["EmbeddedPython:Vantiq:ServerConfigFile"] = file,
                ["EmbeddedPython:Vantiq:TcpProbeAddress"] = "127.0.0.1",
                ["EmbeddedPython:Vantiq:DeclareHealthyAtStart"] = "false",
            });
            // The test process has one CPython: the host uses the shared executor (not disposed by the host).
            builder.Services.AddSingleton(python.Executor);
            builder.Services.AddSingleton<IPythonExecutor>(python.Executor);
            builder.Services.AddVantiqConnector();
            using var host = builder.Build();
            await host.StartAsync();
            try
            {
                var session = await server.NextSessionAsync();
                var reply = await session.QueryOneAsync("""{"code": "answer = 6 * 7\n"}""");
                Assert.Equal(42, (int)reply["body"]!["pythonCallResults"]!["answer"]!);
            }
            finally
            {
                await host.StopAsync();
            }
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }
}

using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace EmbeddedPython.Tasks.Tests;

/// <summary>One host for every test: one process holds one CPython, so one executor and one task host,
/// with the websocket endpoint on a free loopback port.</summary>
public sealed class TaskHostFixture : IAsyncLifetime
{
    private IHost? _host;

    public IPythonTaskHost Tasks => _host!.Services.GetRequiredService<IPythonTaskHost>();

    public string WorkDirectory { get; } = Path.Combine(Path.GetTempPath(), "ompy-tasks-tests-" + Environment.ProcessId);

    public static string Application(string name) => Path.Combine(AppContext.BaseDirectory, "Applications", name);

    public async Task InitializeAsync()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddPythonTasks(options =>
        {
            options.WebSocketPort = 0;
            options.WorkDirectory = WorkDirectory;
        });
        _host = builder.Build();
        await _host.StartAsync();
    }

    public async Task DisposeAsync()
    {
        if (_host is not null)
        {
            await _host.StopAsync();
            _host.Dispose();
        }
        if (Directory.Exists(WorkDirectory))
            Directory.Delete(WorkDirectory, recursive: true);
    }
}

[CollectionDefinition(Name)]
public sealed class TaskHostCollection : ICollectionFixture<TaskHostFixture>
{
    public const string Name = "task host";
}

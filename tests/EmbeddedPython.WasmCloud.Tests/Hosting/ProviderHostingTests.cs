using System.Diagnostics;
using System.Text;
using System.Text.Json;
using EmbeddedPython.WasmCloud.Tests.Infrastructure;
using EmbeddedPython.WasmCloud.Wire;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using NATS.Client.Core;

namespace EmbeddedPython.WasmCloud.Tests.Hosting;

/// <summary>The provider as an application: registered with AddWasmCloudProvider, and as the sample
/// executable a wasmCloud host starts (spec §3).</summary>
[Collection(LatticeCollection.Name)]
public sealed class ProviderHostingTests(LatticeFixture lattice)
{
    private IHost BuildHost(FakeWasmCloudHost fake, string[] linkedActors, Dictionary<string, string?> configuration) =>
        BuildHost(fake.CreateHostData(lattice.Nats.Url, linkedActors).ToBase64Line(), configuration);

    private IHost BuildHost(string hostData, Dictionary<string, string?> configuration)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(configuration);
        builder.Services.AddSingleton(lattice.Executor);
        builder.Services.AddSingleton<IPythonExecutor>(lattice.Executor);
        builder.Services.AddWasmCloudProvider(options => options.HostData = hostData);
        return builder.Build();
    }

    [Fact]
    public async Task AddWasmCloudProvider_binds_its_options_serves_and_stops_the_application_on_shutdown()
    {
        await using var fake = new FakeWasmCloudHost(lattice.Nats.Url);
        var actor = FakeWasmCloudHost.NewActor();
        var modules = LatticeFixture.CopyModules();
        using var host = BuildHost(fake, [actor], new() { ["WasmCloud:PythonDispatch"] = Path.Combine(modules, "dispatch.py") });
        await host.StartAsync();
        var lifetime = host.Services.GetRequiredService<IHostApplicationLifetime>();

        Assert.Equal("Hello Ann!", await fake.CallAsync(actor, "Python.hello", "Ann"));
        Assert.Equal("shutting down", Encoding.UTF8.GetString(await fake.ShutdownAsync(fake.HostId)));

        await Task.Delay(Timeout.Infinite, lifetime.ApplicationStopping).ContinueWith(_ => { }).WaitAsync(TimeSpan.FromSeconds(5));
        await host.StopAsync();
        await Assert.ThrowsAnyAsync<NatsException>(() => fake.HealthAsync());
    }

    [Fact]
    public async Task A_1x_config_update_naming_another_dispatch_file_switches_to_it()
    {
        await using var fake = new FakeWasmCloudHost(lattice.Nats.Url);
        var actor = FakeWasmCloudHost.NewActor();
        var modules = LatticeFixture.CopyModules();
        var other = Path.Combine(modules, "other_dispatch.py");
        await File.WriteAllTextAsync(other, "def handle(command, arg):\n    return 'other ' + command\n");
        var start = fake.CreateHostData(lattice.Nats.Url, actor) with { Config = new Dictionary<string, string> { ["python_dispatch"] = Path.Combine(modules, "dispatch.py") } };
        using var host = BuildHost(start.ToBase64Line(), []);
        await host.StartAsync();
        Assert.Equal("v1", await fake.CallAsync(actor, "version", null));

        await fake.Nats.PublishAsync(fake.Subject1x + ".config.update", JsonSerializer.SerializeToUtf8Bytes(new { python_dispatch = other }));
        object? answer = null;
        for (var i = 0; i < 100 && !Equals(answer, "other version"); i++)
        {
            await Task.Delay(20);
            answer = await fake.CallAsync(actor, "version", null);
        }
        Assert.Equal("other version", answer);
        await host.StopAsync();
    }

    [Fact]
    public async Task A_malformed_HostData_line_stops_the_start_saying_what_is_wrong()
    {
        using var host = BuildHost("not base64 at all!", []);

        var error = await Assert.ThrowsAsync<FormatException>(() => host.StartAsync());
        Assert.StartsWith("HostData: the stdin line is not standard base64", error.Message);
    }

    [Fact]
    public async Task An_unreachable_lattice_stops_the_start_naming_the_address()
    {
        await using var fake = new FakeWasmCloudHost(lattice.Nats.Url);
        var modules = LatticeFixture.CopyModules();
        var nowhere = "nats://127.0.0.1:1";
        using var host = BuildHost(fake.CreateHostData(nowhere).ToBase64Line(), new() { ["WasmCloud:PythonDispatch"] = Path.Combine(modules, "dispatch.py") });

        var error = await Assert.ThrowsAnyAsync<NatsException>(() => host.StartAsync());
        Assert.Contains(nowhere, error.Message);
    }

    [Fact]
    public async Task Invalid_options_stop_the_start_with_a_message_naming_the_setting()
    {
        await using var fake = new FakeWasmCloudHost(lattice.Nats.Url);
        using var host = BuildHost(fake, [], new() { ["WasmCloud:MaxConcurrentInvocations"] = "0" });

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());
        Assert.Contains("WasmCloud:MaxConcurrentInvocations", error.Message);
    }

    [Fact]
    public async Task A_missing_dispatch_file_stops_the_start_with_a_message_naming_the_path()
    {
        await using var fake = new FakeWasmCloudHost(lattice.Nats.Url);
        using var host = BuildHost(fake, [], new() { ["WasmCloud:PythonDispatch"] = "/nonexistent/dispatch.py" });

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => host.StartAsync());
        Assert.Contains("PYTHON_DISPATCH must be an existing .py file: /nonexistent/dispatch.py", error.Message);
    }

    [Fact]
    public async Task The_sample_executable_reads_HostData_from_stdin_and_PYTHON_DISPATCH_from_the_environment_and_exits_0_on_shutdown()
    {
        await using var fake = new FakeWasmCloudHost(lattice.Nats.Url);
        var actor = FakeWasmCloudHost.NewActor();
        var start = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "WasmCloudProvider.dll")])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var variable in new[] { "PYTHON_MAIN", "VENV_PATH", "PYTHON_PATH" })
            start.Environment.Remove(variable);
        start.Environment["PYTHON_DISPATCH"] = Path.Combine(AppContext.BaseDirectory, "python", "dispatch.py");
        using var process = Process.Start(start)!;
        var errors = new StringBuilder();
        process.ErrorDataReceived += (_, e) => { lock (errors) errors.AppendLine(e.Data); };
        process.OutputDataReceived += (_, _) => { };
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        try
        {
            // As a 1.x host does: padded base64, CRLF, then stdin closed.
            await process.StandardInput.WriteAsync(fake.CreateHostData(lattice.Nats.Url, actor).ToBase64Line() + "\r\n");
            process.StandardInput.Close();

            await WaitUntilHealthyAsync(fake, process, errors);
            Assert.Equal(3628800L, await fake.CallAsync(actor, "py.factorial", 10L));
            Assert.Equal("shutting down", Encoding.UTF8.GetString(await fake.ShutdownAsync(fake.HostId)));

            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(20));
            Assert.Equal(0, process.ExitCode);
        }
        finally
        {
            if (!process.HasExited)
                process.Kill(entireProcessTree: true);
        }
    }

    private static async Task WaitUntilHealthyAsync(FakeWasmCloudHost fake, Process process, StringBuilder errors)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            try
            {
                Assert.True(EnvelopeCodec.DecodeHealth(await fake.HealthAsync()).Healthy);
                return;
            }
            catch (NatsNoRespondersException) when (DateTime.UtcNow < deadline && !process.HasExited)
            {
                await Task.Delay(100);
            }
            catch (NatsNoRespondersException)
            {
                lock (errors)
                    Assert.Fail($"the provider did not come up (exited: {process.HasExited}); its stderr:\n{errors}");
            }
        }
    }
}

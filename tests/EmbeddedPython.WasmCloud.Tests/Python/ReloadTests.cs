using EmbeddedPython.WasmCloud.Tests.Infrastructure;

namespace EmbeddedPython.WasmCloud.Tests.Python;

/// <summary>The dispatch module is reloaded when its file changes, without restarting the provider or
/// losing calls in flight (spec §10).</summary>
[Collection(LatticeCollection.Name)]
public sealed class ReloadTests(LatticeFixture lattice)
{
    [Fact]
    public async Task The_reload_operation_answers_true()
    {
        await using var provider = await RunningProvider.StartLinkedAsync(lattice);
        var (host, actor) = (provider.Host, provider.Actor);

        Assert.Equal(true, await host.CallAsync(actor, "reload", null));
        Assert.Equal("v1", await host.CallAsync(actor, "version", null));
    }

    [Fact]
    public async Task Editing_the_dispatch_file_mid_run_takes_effect_on_the_next_call_and_only_reloads_once()
    {
        await using var provider = await RunningProvider.StartLinkedAsync(lattice);
        var (host, actor) = (provider.Host, provider.Actor);
        Assert.Equal("v1", await host.CallAsync(actor, "version", null));

        await File.WriteAllTextAsync(provider.DispatchFile, (await File.ReadAllTextAsync(provider.DispatchFile))
            .Replace("VERSION = \"v1\"", "VERSION = \"v2\"\nLOADED = object()")
            .Replace("    return f\"unknown command {operation}\"", "    if operation.endswith(\"loaded\"):\n        return id(LOADED)\n    return f\"unknown command {operation}\""));

        Assert.Equal("v2", await host.CallAsync(actor, "version", null));
        var first = await host.CallAsync(actor, "loaded", null);
        Assert.Equal(first, await host.CallAsync(actor, "loaded", null));
    }

    [Fact]
    public async Task A_call_in_flight_during_a_reload_finishes_with_the_code_it_started_with()
    {
        await using var provider = await RunningProvider.StartLinkedAsync(lattice);
        var (host, actor) = (provider.Host, provider.Actor);

        var inFlight = host.CallAsync(actor, "slow", 1.0);
        await Task.Delay(200);
        await File.WriteAllTextAsync(provider.DispatchFile, (await File.ReadAllTextAsync(provider.DispatchFile)).Replace("VERSION = \"v1\"", "VERSION = \"v2\""));

        Assert.Equal("v2", await host.CallAsync(actor, "version", null));
        Assert.False(inFlight.IsCompleted);
        Assert.Equal("v1", await inFlight);
    }

    [Fact]
    public async Task A_broken_edit_fails_calls_with_the_Python_error_until_the_file_is_fixed()
    {
        await using var provider = await RunningProvider.StartLinkedAsync(lattice);
        var (host, actor) = (provider.Host, provider.Actor);
        var good = await File.ReadAllTextAsync(provider.DispatchFile);

        await File.WriteAllTextAsync(provider.DispatchFile, good + "\ndef broken(:\n");
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => host.CallAsync(actor, "version", null));
        Assert.StartsWith("Exception raised SyntaxError", error.Message);

        await File.WriteAllTextAsync(provider.DispatchFile, good.Replace("VERSION = \"v1\"", "VERSION = \"v3\""));
        Assert.Equal("v3", await host.CallAsync(actor, "version", null));
    }

    [Fact]
    public async Task With_the_originals_main_module_an_edited_dispatch_file_is_reloaded_through_main()
    {
        await using var provider = await RunningProvider.StartLinkedAsync(lattice, useMainPackage: true);
        var (host, actor) = (provider.Host, provider.Actor);
        Assert.Equal("main-v1", await host.CallAsync(actor, "version", null));

        var file = Path.Combine(provider.Modules, "wcmain", "dispatch.py");
        await File.WriteAllTextAsync(file, (await File.ReadAllTextAsync(file)).Replace("VERSION = \"main-v1\"", "VERSION = \"main-v2 (edited)\""));
        // importlib's bytecode cache compares whole-second times: move the file's time on, as an editor a moment later would.
        File.SetLastWriteTimeUtc(file, DateTime.UtcNow.AddSeconds(2));

        Assert.Equal("main-v2 (edited)", await host.CallAsync(actor, "version", null));
    }
}

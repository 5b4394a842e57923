namespace EmbeddedPython.Tests.Execution;

/// <summary>
/// Start-up imports neither asyncio nor the modules of the values without a C API (embedded_python._runtime
/// imports them when first needed), and the host's loop is still the one sync code gets, even when a thread
/// imported asyncio first. In a process of its own: the shared fixture's Python has imported everything.
/// </summary>
public sealed class LazyImportTests
{
    [SkippableTheory]
    [MemberData(nameof(PythonVersionTests.Libraries), MemberType = typeof(PythonVersionTests))]
    public async Task Start_up_imports_no_asyncio_and_a_thread_importing_it_first_still_gives_sync_code_the_host_loop(string library)
    {
        Skip.IfNot(File.Exists(library), $"{library} is not installed on this machine");
        var (exitCode, output) = await ChildProcess.RunAsync("lazy-imports", new Dictionary<string, string> { ["EMBEDDEDPYTHON_LIBPYTHON"] = library });
        Assert.True(exitCode == 0, output);
        Assert.Contains("loaded-at-start=none", output);
        Assert.Contains("host-loop=True ticks=1", output);
    }
}

namespace EmbeddedPython.Tests.Execution;

/// <summary>One request, a conversion, an async await and an interrupted time.sleep on every CPython of the machine.</summary>
public sealed class PythonVersionTests
{
    public static TheoryData<string> Libraries => new()
    {
        "/root/.pyenv/versions/3.9.18/lib/libpython3.9.so.1.0",
        "/root/.pyenv/versions/3.10.13/lib/libpython3.10.so.1.0",
        "/root/.pyenv/versions/3.11.7/lib/libpython3.11.so.1.0",
        "/root/.pyenv/versions/3.12.1/lib/libpython3.12.so.1.0",
        "/root/.pyenv/versions/3.13.0/lib/libpython3.13.so.1.0",
        "/usr/lib/x86_64-linux-gnu/libpython3.11.so.1.0",
    };

    [SkippableTheory]
    [MemberData(nameof(Libraries))]
    public async Task Runs_and_interrupts_on_each_installed_python(string library)
    {
        Skip.IfNot(File.Exists(library), $"{library} is not installed on this machine");
        var minor = System.Text.RegularExpressions.Regex.Match(library, @"libpython3\.(\d+)").Groups[1].Value;
        var (exitCode, output) = await ChildProcess.RunAsync("smoke", new Dictionary<string, string> { ["EMBEDDEDPYTHON_LIBPYTHON"] = library });
        Assert.True(exitCode == 0, output);
        Assert.Contains($"version=3.{minor} y=42 root=4", output);
        Assert.Contains("sleep-interrupted=True within=True next=1", output);
    }
}

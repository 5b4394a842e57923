using System.Diagnostics;

namespace EmbeddedPython.Tests.Environments;

/// <summary>
/// <see cref="PythonExecutorOptions.Requirements"/> offline, for real: the test builds a wheel of a tiny local package
/// with Debian's pip (<c>pip wheel --no-index --no-build-isolation</c>), and executors in processes of their own create
/// the environment, install from that folder (<c>--no-index --find-links</c>), skip an unchanged install and fail
/// their start with pip's message when a requirement cannot be had. They pin Debian's Python themselves, so the
/// test command's reruns on other Pythons leave them out.
/// </summary>
[Trait("Interpreter", "Pinned")]
public sealed class RequirementsTests : IDisposable
{
    private const string Interpreter = "/usr/bin/python3.11";
    private const string Library = "/usr/lib/x86_64-linux-gnu/libpython3.11.so.1.0";

    private readonly string _root = Directory.CreateTempSubdirectory("embeddedpython-requirements").FullName;

    [SkippableFact]
    public async Task The_environment_is_created_and_installed_once_then_reused_until_the_requirements_change()
    {
        var wheels = await BuildWheelAsync();
        var requirements = Path.Combine(_root, "requirements.txt");
        File.WriteAllText(requirements, "tiny-greeting==1.0.0\n");

        var (code, output) = await RunAsync(requirements, wheels);
        Assert.True(code == 0, output);
        Assert.Contains("greeting=hello venv", output);
        Assert.Contains($"where={Path.Combine(_root, ".venv", "lib")}", output);
        Assert.Contains("Creating the virtual environment", output);
        Assert.Contains("Installing", output);

        (code, output) = await RunAsync(requirements, wheels);
        Assert.True(code == 0, output);
        Assert.Contains("greeting=hello venv", output);
        Assert.Contains("is unchanged since the last install", output);
        Assert.DoesNotContain("Creating the virtual environment", output);

        File.AppendAllText(requirements, "# pinned\n");
        (code, output) = await RunAsync(requirements, wheels);
        Assert.True(code == 0, output);
        Assert.Contains("Installing", output);
        Assert.DoesNotContain("is unchanged", output);
    }

    [SkippableFact]
    public async Task A_requirement_that_cannot_be_installed_fails_the_start_with_pips_message()
    {
        var wheels = await BuildWheelAsync();
        var requirements = Path.Combine(_root, "requirements.txt");
        File.WriteAllText(requirements, "no-such-package-anywhere==9.9\n");

        var (code, output) = await RunAsync(requirements, wheels);
        Assert.Equal(3, code);
        Assert.Contains("start-failed: pip install failed with exit code", output);
        Assert.Contains("no-such-package-anywhere", output);
    }

    private Task<(int, string)> RunAsync(string requirements, string wheels) =>
        ChildProcess.RunAsync($"requirements \"{requirements}\" {Library} \"{wheels}\"", limit: TimeSpan.FromMinutes(3));

    /// <summary>A wheel of a one-module package, built offline by Debian's pip.</summary>
    private async Task<string> BuildWheelAsync()
    {
        Skip.IfNot(File.Exists(Interpreter) && File.Exists(Library), $"needs Debian's {Interpreter} and {Library}");
        var (probe, _) = await RunProgramAsync(Interpreter, "-c", "import setuptools, wheel, ensurepip, venv");
        Skip.If(probe != 0, "needs Debian's python3-pip, python3-wheel, python3-setuptools and python3-venv (scripts/install-test-dependencies.sh)");
        var package = Path.Combine(_root, "tiny-greeting");
        Directory.CreateDirectory(Path.Combine(package, "tiny_greeting"));
        File.WriteAllText(Path.Combine(package, "pyproject.toml"), """
            [build-system]
            requires = ["setuptools"]
            build-backend = "setuptools.build_meta"

            [project]
            name = "tiny-greeting"
            version = "1.0.0"
            """);
        File.WriteAllText(Path.Combine(package, "tiny_greeting", "__init__.py"), "def greet(name):\n    return 'hello ' + name\n");
        var wheels = Path.Combine(_root, "wheels");
        var (code, output) = await RunProgramAsync(Interpreter, "-m", "pip", "wheel", "--no-index", "--no-build-isolation", "--no-deps", "-w", wheels, package);
        Assert.True(code == 0, output);
        return wheels;
    }

    private static async Task<(int, string)> RunProgramAsync(string program, params string[] arguments)
    {
        using var process = Process.Start(new ProcessStartInfo(program, arguments) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await output + await errors);
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);
}

using EmbeddedPython.Locating;

namespace EmbeddedPython.Tests.Locating;

public sealed class PythonLocatorTests
{
    [Fact]
    public void A_missing_library_is_reported_with_every_place_tried()
    {
        var error = Assert.Throws<DllNotFoundException>(() => PythonLocator.Locate(new PythonExecutorOptions { PythonLibrary = "/nowhere/libpython3.11.so.1.0" }));
        Assert.Contains("/nowhere/libpython3.11.so.1.0 (option PythonLibrary): no such file", error.Message);
        Assert.Contains("EMBEDDEDPYTHON_LIBPYTHON", error.Message);
    }

    [Fact]
    public void An_unsupported_version_is_refused_by_name()
    {
        var error = Assert.Throws<DllNotFoundException>(() => PythonLocator.Locate(new PythonExecutorOptions { PythonLibrary = "/root/.pyenv/versions/3.8.18/lib/libpython3.8.so.1.0" }));
        Assert.Contains("3.8", error.Message);
    }

    [Fact]
    public void The_python3_on_path_leads_to_its_shared_library_and_home()
    {
        var found = PythonLocator.Locate(new PythonExecutorOptions());
        Assert.True(File.Exists(found.Library), found.Library);
        Assert.Matches(@"libpython3\.\d+\.so", Path.GetFileName(found.Library));
        Assert.True(File.Exists(Path.Combine(found.Home!, "lib", $"python3.{found.Minor}", "os.py")));
    }

    [SkippableFact]
    public void A_library_path_finds_its_home_for_debian_and_pyenv_layouts()
    {
        Skip.IfNot(File.Exists("/usr/lib/x86_64-linux-gnu/libpython3.11.so.1.0") && Directory.Exists("/root/.pyenv/versions/3.12.1"), "Debian's python3.11 or pyenv 3.12.1 is not installed");
        Assert.Equal("/usr", PythonLocator.Locate(new PythonExecutorOptions { PythonLibrary = "/usr/lib/x86_64-linux-gnu/libpython3.11.so.1.0" }).Home);
        Assert.Equal("/root/.pyenv/versions/3.12.1", PythonLocator.Locate(new PythonExecutorOptions { PythonLibrary = "/root/.pyenv/versions/3.12.1/lib/libpython3.12.so.1.0" }).Home);
    }

    [Fact]
    public async Task A_virtual_environment_contributes_its_site_packages_and_they_are_importable()
    {
        var root = Directory.CreateTempSubdirectory("venv").FullName;
        try
        {
            var process = System.Diagnostics.Process.Start("python3", ["-m", "venv", "--without-pip", root])!;
            await process.WaitForExitAsync();
            var found = PythonLocator.Locate(new PythonExecutorOptions { VirtualEnvironment = root });
            Assert.Contains(found.SitePackages, p => p.StartsWith(root, StringComparison.Ordinal) && p.EndsWith("site-packages", StringComparison.Ordinal));
            var sitePackages = found.SitePackages.First();
            File.WriteAllText(Path.Combine(sitePackages, "venv_only_module.py"), "MARK = 'from the venv'");
            var (exitCode, output) = await ChildProcess.RunAsync($"venv {root}");
            Assert.True(exitCode == 0, output);
            Assert.Contains("mark=from the venv", output);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }
}

using System.Diagnostics;
using EmbeddedPython.WasmCloud.Python;
using EmbeddedPython.WasmCloud.Tests.Infrastructure;

namespace EmbeddedPython.WasmCloud.Tests.Python;

/// <summary>How the user's modules are found and imported (spec §1), straight on the executor.</summary>
[Collection(LatticeCollection.Name)]
public sealed class ModuleLoadingTests(LatticeFixture lattice)
{
    private async Task<DispatchOutcome> CallAsync(PythonModules modules, string operation, object? argument)
    {
        var python = new PythonDispatcher(lattice.Executor, null);
        await python.ConfigureAsync(modules, CancellationToken.None);
        try
        {
            return await python.InvokeAsync(operation, argument, CancellationToken.None);
        }
        finally
        {
            await python.ReleaseAsync();
        }
    }

    [Fact]
    public async Task A_virtual_environments_site_packages_and_PYTHON_PATH_entries_are_importable()
    {
        var root = LatticeFixture.TempFolder("wasmcloud-venv");
        var venv = Path.Combine(root, "venv");
        using (var create = Process.Start("python3", ["-m", "venv", "--without-pip", venv]))
            await create.WaitForExitAsync();
        var sitePackages = Directory.GetDirectories(Path.Combine(venv, "lib")).Single();
        await File.WriteAllTextAsync(Path.Combine(sitePackages, "site-packages", "venv_only_helper.py"), "def shout(s):\n    return s.upper()\n");
        var extra = Directory.CreateDirectory(Path.Combine(root, "extra")).FullName;
        await File.WriteAllTextAsync(Path.Combine(extra, "extra_only_helper.py"), "SUFFIX = '!'\n");
        var dispatch = Path.Combine(root, "venv_dispatch.py");
        await File.WriteAllTextAsync(dispatch, "import venv_only_helper, extra_only_helper\n\ndef handle(command, arg):\n    return venv_only_helper.shout(arg) + extra_only_helper.SUFFIX\n");

        var outcome = await CallAsync(new PythonModules(null, dispatch, venv, [extra], true), "shout", "hi");

        Assert.Equal(new DispatchOutcome("HI!", null), outcome);
    }

    [Fact]
    public async Task A_virtual_environment_made_for_another_Python_version_is_refused_by_name()
    {
        var venv = LatticeFixture.TempFolder("wasmcloud-oldvenv");
        await File.WriteAllTextAsync(Path.Combine(venv, "pyvenv.cfg"), "home = /usr/bin\nversion = 2.7.18\n");
        var modules = LatticeFixture.CopyModules();

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            CallAsync(new PythonModules(null, Path.Combine(modules, "dispatch.py"), venv, [], true), "version", null));
        Assert.Contains($"VENV_PATH {venv} was made for Python 2.7.18", error.Message);
    }

    [Theory]
    [InlineData("no_such_main.py", "PYTHON_MAIN must be a .py file or a package folder")]
    [InlineData("not_a_package", "PYTHON_MAIN is a folder without __init__.py")]
    public async Task An_unusable_main_module_path_is_refused_naming_the_setting(string main, string expected)
    {
        var root = LatticeFixture.TempFolder("wasmcloud-main");
        Directory.CreateDirectory(Path.Combine(root, "not_a_package"));

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            CallAsync(new PythonModules(Path.Combine(root, main), null, null, [], true), "x", null));
        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public async Task With_neither_module_configured_the_error_says_so() =>
        Assert.Contains("neither PYTHON_MAIN nor PYTHON_DISPATCH is set", (await Assert.ThrowsAsync<InvalidOperationException>(() =>
            CallAsync(new PythonModules(null, null, null, [], true), "x", null))).Message);
}

using EmbeddedPython.Locating;

namespace EmbeddedPython.Tests.Locating;

public sealed class WellKnownLocationsTests
{
    [Theory]
    [InlineData("opt/homebrew/opt/python@3.13/Frameworks/Python.framework/Versions/3.13")]
    [InlineData("usr/local/Frameworks/Python.framework/Versions/3.13")]
    [InlineData("Library/Frameworks/Python.framework/Versions/3.13")]
    public void MacOS_finds_Homebrew_and_python_org_framework_builds(string version)
    {
        using var machine = new FakeMachine(MachineKind.MacOS);
        var library = machine.Touch($"{version}/Python");
        machine.Touch($"{version}/lib/python3.13/os.py");
        var found = PythonLocator.Locate(new PythonExecutorOptions(), machine);
        Assert.Equal(library, found.Library);
        Assert.Equal(13, found.Minor);
        Assert.Equal(machine.At(version), found.Home);
    }

    [Fact]
    public void MacOS_resolves_a_framework_interpreter_on_PATH_to_the_framework_library()
    {
        using var machine = new FakeMachine(MachineKind.MacOS);
        var version = "Library/Frameworks/Python.framework/Versions/3.12";
        var library = machine.Touch($"{version}/Python");
        machine.Touch($"{version}/lib/python3.12/os.py");
        machine.Touch($"{version}/bin/python3.12");
        machine.Link("usr/local/bin/python3", machine.At($"{version}/bin/python3.12"));
        machine.Variables["PATH"] = machine.At("usr/local/bin");
        Assert.Equal(library, PythonLocator.Locate(new PythonExecutorOptions(), machine).Library);
        Assert.Empty(machine.Runs);
    }

    [Fact]
    public void Windows_reads_the_PEP_514_registry_preferring_the_py_launcher_default_and_skipping_32_bit_builds()
    {
        using var machine = new FakeMachine(MachineKind.Windows);
        machine.Variables["LOCALAPPDATA"] = machine.At("cache");
        foreach (var (tag, folder) in new[] { ("3.13-32", "Python313-32"), ("3.13", "Python313"), ("3.11", "Python311") })
        {
            machine.Touch($"Programs/{folder}/python3{tag[2..4]}.dll");
            machine.Registry[$@"HKCU\Software\Python\PythonCore\{tag}\InstallPath"] = new() { [""] = machine.At($"Programs/{folder}") };
        }
        machine.Touch("Programs/Python311/Lib/os.py");
        Assert.Equal(machine.At("Programs/Python313/python313.dll"), PythonLocator.Locate(new PythonExecutorOptions(), machine).Library);
        File.Delete(Directory.GetFiles(machine.At("cache/EmbeddedPython"))[0]);

        machine.Variables["PY_PYTHON"] = "3.11";
        var found = PythonLocator.Locate(new PythonExecutorOptions(), machine);
        Assert.Equal(machine.At("Programs/Python311/python311.dll"), found.Library);
        Assert.Equal(machine.At("Programs/Python311"), found.Home);
    }

    [Theory]
    [InlineData("LOCALAPPDATA", "Programs/Python/Python312/python312.dll")]
    [InlineData("ProgramFiles", "Python312/python312.dll")]
    [InlineData("ProgramFiles", "WindowsApps/PythonSoftwareFoundation.Python.3.12_3.12.2800.0_x64__qbz5n2kfra8p0/python312.dll")]
    [InlineData("NUGET_PACKAGES", "python/3.12.8/tools/python312.dll")]
    public void Windows_finds_installer_Store_and_NuGet_package_layouts(string variable, string relativeLibrary)
    {
        using var machine = new FakeMachine(MachineKind.Windows);
        machine.Variables[variable] = machine.At("base");
        var library = machine.Touch($"base/{relativeLibrary}");
        Assert.Equal(library, PythonLocator.Locate(new PythonExecutorOptions(), machine).Library);
    }

    [Fact]
    public void Linux_finds_distribution_layouts_and_every_pyenv_version()
    {
        using var machine = new FakeMachine();
        var pyenvLibrary = machine.Touch("home/user/.pyenv/versions/3.10.13/lib/libpython3.10.so.1.0");
        Assert.Equal(pyenvLibrary, PythonLocator.Locate(new PythonExecutorOptions(), machine).Library);
        var fedora = machine.Touch("usr/lib64/libpython3.12.so.1.0");
        File.Delete(Directory.GetFiles(machine.At("cache/EmbeddedPython"))[0]);
        Assert.Equal(fedora, PythonLocator.Locate(new PythonExecutorOptions(), machine).Library);
    }

    [Fact]
    public void Nothing_found_lists_every_place_tried()
    {
        using var machine = new FakeMachine();
        machine.Variables["PATH"] = machine.At("usr/bin");
        var error = Assert.Throws<DllNotFoundException>(() => PythonLocator.Locate(new PythonExecutorOptions(), machine));
        Assert.Contains("python3: not found on PATH", error.Message);
        Assert.Contains(machine.At("usr/lib/x86_64-linux-gnu/libpython3.14.so.1.0") + " (well-known location: Linux distribution layout): no such file", error.Message);
        Assert.Contains(machine.At("usr/local/lib/libpython3.9.so.1.0"), error.Message);
        Assert.Contains(PythonLocator.LibraryVariable, error.Message);
    }
}

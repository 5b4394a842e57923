using EmbeddedPython.Locating;

namespace EmbeddedPython.Tests.Locating;

public sealed class PyenvTests
{
    [Fact]
    public void A_shim_is_resolved_from_the_global_version_file_without_starting_a_process()
    {
        using var machine = new FakeMachine();
        Layouts.Pyenv(machine, "3.11.7", "3.12.1");
        machine.Touch("home/user/.pyenv/version", "3.11.7\n");
        var found = PythonLocator.Locate(new PythonExecutorOptions(), machine);
        Assert.Equal(Layouts.PyenvLibrary(machine, "3.11.7"), found.Library);
        Assert.Equal(machine.At("home/user/.pyenv/versions/3.11.7"), found.Home);
        Assert.Equal(11, found.Minor);
        Assert.Empty(machine.Runs);
    }

    [Fact]
    public void PYENV_VERSION_wins_over_version_files_and_its_first_installed_entry_is_taken()
    {
        using var machine = new FakeMachine();
        Layouts.Pyenv(machine, "3.11.7", "3.12.1");
        machine.Touch("home/user/.pyenv/version", "3.11.7");
        machine.Touch("home/user/project/.python-version", "3.11.7");
        machine.Variables["PYENV_VERSION"] = "3.10.99:3.12.1";
        var found = PythonLocator.Locate(new PythonExecutorOptions(), machine);
        Assert.Equal(Layouts.PyenvLibrary(machine, "3.12.1"), found.Library);
    }

    [Fact]
    public void A_python_version_file_in_a_parent_of_the_working_folder_wins_over_the_global_one()
    {
        using var machine = new FakeMachine();
        Layouts.Pyenv(machine, "3.11.7", "3.12.1");
        machine.Touch("home/user/.pyenv/version", "3.11.7");
        machine.Touch("home/user/project/.python-version", "# the project's Python\n3.12.1\n");
        var found = PythonLocator.Locate(new PythonExecutorOptions(), machine);
        Assert.Equal(Layouts.PyenvLibrary(machine, "3.12.1"), found.Library);
        Assert.Empty(machine.Runs);
    }

    [Fact]
    public void A_version_prefix_selects_the_newest_installed_patch_release()
    {
        using var machine = new FakeMachine();
        Layouts.Pyenv(machine, "3.12.1", "3.12.10", "3.12.9");
        machine.Touch("home/user/.pyenv/version", "3.12");
        Assert.Equal(Layouts.PyenvLibrary(machine, "3.12.10"), PythonLocator.Locate(new PythonExecutorOptions(), machine).Library);
    }

    [Fact]
    public void The_system_version_is_the_next_python3_on_PATH_outside_the_shims()
    {
        using var machine = new FakeMachine();
        Layouts.Pyenv(machine, "3.12.1");
        machine.Touch("home/user/.pyenv/version", "system");
        // Debian: /usr/bin/python3 -> python3.11, the library in the multiarch folder, the stdlib in /usr/lib.
        Layouts.UnixPrefix(machine, "usr", 11, library: false);
        var library = machine.Touch("usr/lib/x86_64-linux-gnu/libpython3.11.so.1.0");
        var found = PythonLocator.Locate(new PythonExecutorOptions(), machine);
        Assert.Equal(library, found.Library);
        Assert.Equal(machine.At("usr"), found.Home);
        Assert.Empty(machine.Runs);
    }

    [Fact]
    public void A_pyenv_virtualenv_environment_gives_its_base_library_and_its_site_packages()
    {
        using var machine = new FakeMachine();
        Layouts.Pyenv(machine, "3.12.1");
        var baseBin = machine.At("home/user/.pyenv/versions/3.12.1/bin");
        machine.Touch("home/user/.pyenv/versions/3.12.1/envs/tools/pyvenv.cfg", $"home = {baseBin}\nversion = 3.12.1\n");
        machine.Link("home/user/.pyenv/versions/3.12.1/envs/tools/bin/python3", Path.Combine(baseBin, "python3"));
        Directory.CreateDirectory(machine.At("home/user/.pyenv/versions/3.12.1/envs/tools/lib/python3.12/site-packages"));
        Directory.CreateSymbolicLink(machine.At("home/user/.pyenv/versions/tools"), machine.At("home/user/.pyenv/versions/3.12.1/envs/tools"));
        machine.Touch("home/user/.pyenv/version", "tools");
        var found = PythonLocator.Locate(new PythonExecutorOptions(), machine);
        Assert.Equal(Layouts.PyenvLibrary(machine, "3.12.1"), found.Library);
        Assert.Equal([machine.At("home/user/.pyenv/versions/tools/lib/python3.12/site-packages")], found.SitePackages);
    }

    [Fact]
    public void A_selected_version_that_is_not_installed_is_named_in_the_error()
    {
        using var machine = new FakeMachine();
        Layouts.Pyenv(machine);
        machine.Touch("home/user/.pyenv/version", "3.13.5");
        var error = Assert.Throws<DllNotFoundException>(() => PythonLocator.Locate(new PythonExecutorOptions(), machine));
        Assert.Contains("pyenv version '3.13.5' from " + machine.At("home/user/.pyenv/version") + "): not installed", error.Message);
        Assert.Empty(machine.Runs);
    }

    [SkippableFact]
    public void The_real_pyenv_shim_of_this_machine_resolves_to_the_library_pyenv_itself_would_run()
    {
        var shim = Path.Combine(Environment.GetEnvironmentVariable("PYENV_ROOT") ?? "/root/.pyenv", "shims", "python3");
        Skip.IfNot(File.Exists(shim), "pyenv is not installed");
        // What the shim runs, asked the slow way: through pyenv, in a process.
        var start = new System.Diagnostics.ProcessStartInfo(shim, ["-c", "import sysconfig, os; v = sysconfig.get_config_var; print(os.path.join(v('LIBDIR'), v('INSTSONAME')))"]) { RedirectStandardOutput = true };
        using var process = System.Diagnostics.Process.Start(start)!;
        var expected = process.StandardOutput.ReadToEnd().Trim();
        process.WaitForExit();
        Skip.IfNot(process.ExitCode == 0 && File.Exists(expected), "the pyenv Python of this machine is not a shared build");

        using var machine = new FakeMachine();
        foreach (System.Collections.DictionaryEntry variable in Environment.GetEnvironmentVariables())
            machine.Variables[(string)variable.Key] = (string)variable.Value!;
        machine.Variables["XDG_CACHE_HOME"] = machine.At("cache");
        machine.Variables.Remove(PythonLocator.LibraryVariable);
        machine.Variables["PATH"] = $"{Path.GetDirectoryName(shim)}:/usr/bin";
        machine.CurrentDirectory = Environment.CurrentDirectory;
        var found = PythonLocator.Locate(new PythonExecutorOptions(), machine);
        Assert.Equal(expected, found.Library);
        Assert.Empty(machine.Runs);
    }
}

using EmbeddedPython.Locating;

namespace EmbeddedPython.Tests.Locating;

public sealed class InterpreterLibraryTests
{
    private static PythonInstallation LocateOnPath(FakeMachine machine, string folder)
    {
        machine.Variables["PATH"] = machine.At(folder);
        return PythonLocator.Locate(new PythonExecutorOptions(), machine);
    }

    [Fact]
    public void A_real_interpreter_finds_the_library_in_the_lib_folder_beside_its_bin_folder()
    {
        using var machine = new FakeMachine();
        var prefix = Layouts.UnixPrefix(machine, "opt/python", 12);
        var found = LocateOnPath(machine, "opt/python/bin");
        Assert.Equal(Path.Combine(prefix, "lib", "libpython3.12.so.1.0"), found.Library);
        Assert.Equal(prefix, found.Home);
        Assert.Empty(machine.Runs);
    }

    [Fact]
    public void The_sysconfig_data_file_names_a_library_kept_elsewhere()
    {
        using var machine = new FakeMachine();
        Layouts.UnixPrefix(machine, "opt/python", 13, library: false);
        var library = machine.Touch("srv/shared-libs/libpython3.13.so.1.0");
        machine.Touch("opt/python/lib/python3.13/_sysconfigdata__linux_x86_64-linux-gnu.py",
            $"build_time_vars = {{'CC': 'gcc',\n 'INSTSONAME': 'libpython3.13.so.1.0',\n 'LDLIBRARY': 'libpython3.13.so',\n 'LIBDIR': '{machine.At("srv/shared-libs")}',\n 'Py_ENABLE_SHARED': 1,\n 'VERSION': '3.13'}}\n");
        Assert.Equal(library, LocateOnPath(machine, "opt/python/bin").Library);
        Assert.Empty(machine.Runs);
    }

    [Fact]
    public void The_makefile_is_read_with_its_variables_expanded_when_there_is_no_sysconfig_data_file()
    {
        using var machine = new FakeMachine();
        Layouts.UnixPrefix(machine, "opt/python", 10, library: false);
        var library = machine.Touch("srv/lib/libpython3.10.so.1.0");
        machine.Touch("opt/python/lib/python3.10/config-3.10-x86_64-linux-gnu/Makefile",
            $"VERSION=\t3.10\nABIFLAGS=\t\nLDVERSION=\t$(VERSION)$(ABIFLAGS)\nprefix=\t\t{machine.At("srv")}\nexec_prefix=\t${{prefix}}\nLIBDIR=\t\t$(exec_prefix)/lib\nINSTSONAME=\tlibpython$(LDVERSION).so.1.0\nPY_ENABLE_SHARED=\t1\n");
        Assert.Equal(library, LocateOnPath(machine, "opt/python/bin").Library);
        Assert.Empty(machine.Runs);
    }

    [Fact]
    public void A_static_build_is_reported_as_such_without_asking_the_interpreter()
    {
        using var machine = new FakeMachine();
        Layouts.UnixPrefix(machine, "opt/python", 12, library: false);
        machine.Touch("opt/python/lib/python3.12/_sysconfigdata__linux_x86_64-linux-gnu.py",
            "build_time_vars = {'LDLIBRARY': 'libpython3.12.a',\n 'LIBDIR': '/opt/python/lib',\n 'Py_ENABLE_SHARED': 0}\n");
        var error = Assert.Throws<DllNotFoundException>(() => LocateOnPath(machine, "opt/python/bin"));
        Assert.Contains("not a shared build", error.Message);
        Assert.Empty(machine.Runs);
    }

    [Fact]
    public void An_interpreter_whose_files_say_nothing_is_asked_through_its_sysconfig_as_the_last_resort()
    {
        using var machine = new FakeMachine();
        machine.Touch("opt/odd/python3", "\x7fELF");
        var library = machine.Touch("opt/odd-libs/libpython3.12.so.1.0");
        machine.RunAnswer = $"12\n{machine.At("opt/odd")}\n{machine.At("opt/odd-libs")}\nx86_64-linux-gnu\nlibpython3.12.so.1.0\nlibpython3.12.so\n1\n";
        var found = LocateOnPath(machine, "opt/odd");
        Assert.Equal(library, found.Library);
        Assert.Equal([machine.At("opt/odd/python3")], machine.Runs);
    }

    [Fact]
    public void The_active_virtual_environment_leads_to_its_base_interpreter_and_adds_its_site_packages()
    {
        using var machine = new FakeMachine();
        var prefix = Layouts.UnixPrefix(machine, "opt/python", 12);
        Layouts.UnixPrefix(machine, "usr", 11);
        machine.Touch("home/user/venv/pyvenv.cfg", $"home = {prefix}/bin\ninclude-system-site-packages = false\nversion = 3.12.1\n");
        var sitePackages = Directory.CreateDirectory(machine.At("home/user/venv/lib/python3.12/site-packages")).FullName;
        machine.Variables["VIRTUAL_ENV"] = machine.At("home/user/venv");
        var found = LocateOnPath(machine, "usr/bin");
        Assert.Equal(Path.Combine(prefix, "lib", "libpython3.12.so.1.0"), found.Library);
        Assert.Equal([sitePackages], found.SitePackages);
    }

    [Fact]
    public void An_unsupported_interpreter_version_is_refused_by_name()
    {
        using var machine = new FakeMachine();
        Layouts.UnixPrefix(machine, "opt/python", 8);
        var error = Assert.Throws<DllNotFoundException>(() => LocateOnPath(machine, "opt/python/bin"));
        Assert.Contains("Python 3.8 is not supported", error.Message);
    }
}

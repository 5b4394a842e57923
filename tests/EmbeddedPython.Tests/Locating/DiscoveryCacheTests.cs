using EmbeddedPython.Locating;

namespace EmbeddedPython.Tests.Locating;

public sealed class DiscoveryCacheTests
{
    /// <summary>An interpreter only its own sysconfig can place, so each real discovery shows as one process run.</summary>
    private static (FakeMachine Machine, string Interpreter, string Library) MachineThatNeedsAProcess()
    {
        var machine = new FakeMachine();
        var interpreter = machine.Touch("opt/odd/python3", "\x7fELF");
        var library = machine.Touch("opt/odd-libs/libpython3.12.so.1.0");
        machine.RunAnswer = $"12\n{machine.At("opt/odd")}\n{machine.At("opt/odd-libs")}\n\nlibpython3.12.so.1.0\n\n1\n";
        machine.Variables["PATH"] = machine.At("opt/odd");
        return (machine, interpreter, library);
    }

    [Fact]
    public void A_second_start_takes_the_cached_discovery_and_starts_no_process()
    {
        var (machine, _, library) = MachineThatNeedsAProcess();
        using var _machine = machine;
        Assert.Equal(library, PythonLocator.Locate(new PythonExecutorOptions(), machine).Library);
        Assert.Single(machine.Runs);
        var second = PythonLocator.Locate(new PythonExecutorOptions(), machine);
        Assert.Equal(library, second.Library);
        Assert.Equal(machine.At("opt/odd"), second.Home);
        Assert.Single(machine.Runs);
    }

    [Fact]
    public void A_changed_interpreter_or_a_deleted_library_makes_the_entry_stale()
    {
        var (machine, interpreter, library) = MachineThatNeedsAProcess();
        using var _machine = machine;
        PythonLocator.Locate(new PythonExecutorOptions(), machine);
        File.SetLastWriteTimeUtc(interpreter, DateTime.UtcNow.AddMinutes(1));
        PythonLocator.Locate(new PythonExecutorOptions(), machine);
        Assert.Equal(2, machine.Runs.Count);

        File.Delete(library);
        var other = machine.Touch("opt/odd-libs2/libpython3.12.so.1.0");
        machine.RunAnswer = $"12\n{machine.At("opt/odd")}\n{machine.At("opt/odd-libs2")}\n\nlibpython3.12.so.1.0\n\n1\n";
        Assert.Equal(other, PythonLocator.Locate(new PythonExecutorOptions(), machine).Library);
        Assert.Equal(3, machine.Runs.Count);
    }

    [Fact]
    public void A_file_that_appears_where_discovery_looked_makes_the_entry_stale()
    {
        using var machine = new FakeMachine();
        Layouts.Pyenv(machine, "3.11.7", "3.12.1");
        machine.Touch("home/user/.pyenv/version", "3.11.7");
        Assert.Equal(Layouts.PyenvLibrary(machine, "3.11.7"), PythonLocator.Locate(new PythonExecutorOptions(), machine).Library);
        machine.Touch("home/user/project/.python-version", "3.12.1");
        Assert.Equal(Layouts.PyenvLibrary(machine, "3.12.1"), PythonLocator.Locate(new PythonExecutorOptions(), machine).Library);
    }

    [Fact]
    public void A_different_environment_is_a_different_entry()
    {
        using var machine = new FakeMachine();
        Layouts.Pyenv(machine, "3.11.7", "3.12.1");
        machine.Touch("home/user/.pyenv/version", "3.11.7");
        PythonLocator.Locate(new PythonExecutorOptions(), machine);
        machine.Variables["PYENV_VERSION"] = "3.12.1";
        Assert.Equal(Layouts.PyenvLibrary(machine, "3.12.1"), PythonLocator.Locate(new PythonExecutorOptions(), machine).Library);
        machine.Variables.Remove("PYENV_VERSION");
        Assert.Equal(Layouts.PyenvLibrary(machine, "3.11.7"), PythonLocator.Locate(new PythonExecutorOptions(), machine).Library);
    }

    [Fact]
    public void A_damaged_entry_is_ignored_and_rewritten()
    {
        var (machine, _, library) = MachineThatNeedsAProcess();
        using var _machine = machine;
        PythonLocator.Locate(new PythonExecutorOptions(), machine);
        var entry = Assert.Single(Directory.GetFiles(machine.At("cache/EmbeddedPython")));
        File.WriteAllLines(entry, File.ReadAllLines(entry).Take(3)); // cut short
        Assert.Equal(library, PythonLocator.Locate(new PythonExecutorOptions(), machine).Library);
        Assert.Equal(2, machine.Runs.Count);
        PythonLocator.Locate(new PythonExecutorOptions(), machine);
        Assert.Equal(2, machine.Runs.Count);
    }

    [Fact]
    public async Task Concurrent_processes_reading_and_writing_one_entry_always_get_a_whole_answer()
    {
        using var machine = new FakeMachine();
        Layouts.Pyenv(machine, "3.12.1");
        machine.Touch("home/user/.pyenv/version", "3.12.1");
        var expected = Layouts.PyenvLibrary(machine, "3.12.1");
        var folder = machine.At("cache/EmbeddedPython");
        var starts = Enumerable.Range(0, 8).Select(_ => Task.Run(() =>
        {
            for (var i = 0; i < 50; i++)
            {
                Assert.Equal(expected, PythonLocator.Locate(new PythonExecutorOptions(), machine).Library);
                // Every other round starts from no entry, so writers and readers overlap.
                if (i % 2 == 0)
                    foreach (var file in Directory.GetFiles(folder, "*.txt"))
                        File.Delete(file);
            }
        }));
        await Task.WhenAll(starts);
        Assert.Empty(Directory.GetFiles(folder, "*.tmp"));
    }
}

namespace EmbeddedPython.Locating;

/// <summary>
/// Where installers put libpython when nothing on PATH leads to it, newest version first: Linux
/// distributions' folders and pyenv; Homebrew and python.org framework builds on macOS; on Windows the
/// PEP 514 registry keys the py launcher reads (its <c>PY_PYTHON</c> default first), per-user and all-users
/// installs, Microsoft Store packages and the "python" NuGet package.
/// </summary>
internal static class WellKnownLocations
{
    public static IEnumerable<(string Library, string Label)> Candidates(IMachine machine) => machine.Kind switch
    {
        MachineKind.Windows => Windows(machine),
        MachineKind.MacOS => MacOS(machine),
        _ => Linux(machine),
    };

    private static IEnumerable<int> NewestFirst() => Enumerable.Range(LibraryName.MinMinor, LibraryName.MaxMinor - LibraryName.MinMinor + 1).Reverse();

    private static IEnumerable<(string, string)> Linux(IMachine machine)
    {
        string[] folders = ["usr/lib/x86_64-linux-gnu", "usr/lib/aarch64-linux-gnu", "usr/lib64", "usr/lib", "usr/local/lib"];
        foreach (var minor in NewestFirst())
        {
            foreach (var folder in folders)
                yield return (Path.Combine(machine.Root, folder, $"libpython3.{minor}.so.1.0"), "Linux distribution layout");
        }
        foreach (var candidate in Pyenv(machine))
            yield return candidate;
    }

    private static IEnumerable<(string, string)> MacOS(IMachine machine)
    {
        var brewPrefixes = new[] { machine.Variable("HOMEBREW_PREFIX"), Path.Combine(machine.Root, "opt", "homebrew"), Path.Combine(machine.Root, "usr", "local") }
            .OfType<string>()
            .Distinct();
        foreach (var minor in NewestFirst())
        {
            var framework = Path.Combine("Frameworks", "Python.framework", "Versions", $"3.{minor}", "Python");
            foreach (var prefix in brewPrefixes)
            {
                yield return (Path.Combine(prefix, "opt", $"python@3.{minor}", framework), "Homebrew");
                yield return (Path.Combine(prefix, framework), "Homebrew");
            }
            yield return (Path.Combine(machine.Root, "Library", framework), "python.org framework build");
            yield return (Path.Combine(machine.HomeDirectory, "Library", framework), "python.org framework build, per user");
        }
        foreach (var candidate in Pyenv(machine))
            yield return candidate;
    }

    /// <summary>Every pyenv version's library, newest first (pyenv names folders 3.X.Y).</summary>
    private static IEnumerable<(string, string)> Pyenv(IMachine machine)
    {
        var versions = Path.Combine(machine.Variable("PYENV_ROOT") ?? Path.Combine(machine.HomeDirectory, ".pyenv"), "versions");
        foreach (var minor in NewestFirst())
        {
            foreach (var folder in LibraryName.NewestFirst(machine.Directories(versions, $"3.{minor}.*")))
            {
                foreach (var name in LibraryName.For(machine.Kind, minor))
                    yield return (Path.Combine(folder, "lib", name), "pyenv version");
            }
        }
    }

    private static IEnumerable<(string, string)> Windows(IMachine machine)
    {
        // PEP 514: Software\Python\PythonCore\<tag>\InstallPath. Tags such as 3.12-32 (32-bit) or 3.13t
        // (free-threaded) are builds this process cannot load.
        const string core = @"Software\Python\PythonCore";
        var preferred = machine.Variable("PY_PYTHON");
        foreach (var (hive, key) in new[] { ("HKCU", core), ("HKLM", core), ("HKLM", @"Software\WOW6432Node\Python\PythonCore") })
        {
            var tags = machine.RegistrySubKeys(hive, key)
                .Where(tag => LibraryName.MinorOfVersion(tag) is not null && tag.All(c => char.IsDigit(c) || c == '.'))
                .OrderByDescending(tag => tag == preferred)
                .ThenByDescending(tag => LibraryName.MinorOfVersion(tag));
            foreach (var tag in tags)
            {
                if (machine.RegistryValue(hive, $@"{key}\{tag}\InstallPath", null) is { } installPath)
                    yield return (Path.Combine(installPath, $"python3{LibraryName.MinorOfVersion(tag)}.dll"), $@"registry {hive}\{key}\{tag}");
            }
        }
        var localPrograms = machine.Variable("LOCALAPPDATA") is { } local ? Path.Combine(local, "Programs", "Python") : null;
        var programFiles = machine.Variable("ProgramFiles");
        var nugetPackages = machine.Variable("NUGET_PACKAGES") ?? Path.Combine(machine.HomeDirectory, ".nuget", "packages");
        foreach (var minor in NewestFirst())
        {
            var dll = $"python3{minor}.dll";
            if (localPrograms is not null)
                yield return (Path.Combine(localPrograms, $"Python3{minor}", dll), "per-user install");
            if (programFiles is not null)
            {
                yield return (Path.Combine(programFiles, $"Python3{minor}", dll), "all-users install");
                foreach (var package in machine.Directories(Path.Combine(programFiles, "WindowsApps"), $"PythonSoftwareFoundation.Python.3.{minor}_*_x64_*"))
                    yield return (Path.Combine(package, dll), "Microsoft Store");
            }
            foreach (var version in LibraryName.NewestFirst(machine.Directories(Path.Combine(nugetPackages, "python"), $"3.{minor}.*")))
                yield return (Path.Combine(version, "tools", dll), "NuGet package 'python'");
        }
    }
}

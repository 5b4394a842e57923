namespace EmbeddedPython.Locating;

/// <summary>
/// From a real interpreter binary (not a shim) to its libpython, without starting it where the files say
/// enough: the library beside the interpreter's prefix (<c>lib/</c>, <c>lib64/</c>, Debian's multiarch
/// folder, a framework's <c>Python</c>, Windows' <c>python3X.dll</c>), then the installation's own sysconfig
/// data; asking the interpreter's <c>sysconfig</c> in a process is the last resort.
/// </summary>
internal static class InterpreterLibrary
{
    public static PythonInstallation? Find(Discovery discovery, string executable, string source, int? minor = null)
    {
        var machine = discovery.Machine;
        var real = machine.FinalTarget(executable);
        var folder = Path.GetDirectoryName(real)!;
        var prefix = machine.Kind != MachineKind.Windows && Path.GetFileName(folder) == "bin" ? Path.GetDirectoryName(folder)! : folder;
        minor ??= LibraryName.MinorOfInterpreter(real) ?? StandardLibraryMinor(discovery, prefix);
        if (minor is null)
            return Ask(discovery, executable, $"{source}: no python3.X standard library under {prefix}");
        if (!LibraryName.IsSupported(minor.Value))
        {
            discovery.Note($"{real} ({source}): Python 3.{minor} is not supported (3.{LibraryName.MinMinor}–3.{LibraryName.MaxMinor})");
            return null;
        }
        var home = discovery.IsHome(prefix, minor.Value) ? prefix : null;
        foreach (var candidate in BesidePrefix(machine, prefix, minor.Value))
        {
            if (machine.FileExists(candidate))
                return discovery.Accept(candidate, $"{source}, beside {real}", home);
        }
        var data = SysconfigData.Read(machine, prefix, minor.Value);
        if (data is null)
            return Ask(discovery, executable, $"{source}: no libpython beside {real} and no sysconfig data under {prefix}");
        if (!data.Shared)
        {
            discovery.Note($"{real} ({source}, Python 3.{minor}): not a shared build (no libpython to load)");
            return null;
        }
        foreach (var name in data.Names)
        {
            foreach (var directory in new[] { data.LibDir, Path.Combine(data.LibDir, data.Multiarch) })
            {
                var candidate = Path.Combine(directory, name);
                if (machine.FileExists(candidate))
                    return discovery.Accept(candidate, $"{source}, sysconfig data of {real}", home);
            }
        }
        discovery.Note($"{real} ({source}): its sysconfig data names {string.Join(", ", data.Names)} in {data.LibDir}, which does not exist");
        return null;
    }

    /// <summary>The minor version whose standard library (os.py) is under the prefix, when only one is;
    /// unsupported ones count too, so that the error can name them.</summary>
    private static int? StandardLibraryMinor(Discovery discovery, string prefix)
    {
        var minors = Enumerable.Range(0, 20)
            .Where(minor => discovery.Machine.Kind == MachineKind.Windows
                ? discovery.Machine.FileExists(Path.Combine(prefix, $"python3{minor}.dll"))
                : discovery.IsHome(prefix, minor))
            .ToList();
        return minors.Count == 1 ? minors[0] : null;
    }

    private static IEnumerable<string> BesidePrefix(IMachine machine, string prefix, int minor)
    {
        if (machine.Kind == MachineKind.MacOS && Path.GetFileName(prefix) == $"3.{minor}")
            yield return Path.Combine(prefix, "Python");
        var folders = machine.Kind == MachineKind.Windows
            ? [prefix]
            : new[] { Path.Combine(prefix, "lib"), Path.Combine(prefix, "lib64") }.Concat(machine.Directories(Path.Combine(prefix, "lib"), "*-linux-*"));
        foreach (var folder in folders)
        {
            foreach (var name in LibraryName.For(machine.Kind, minor))
                yield return Path.Combine(folder, name);
        }
    }

    /// <summary>The last resort: the interpreter's own sysconfig, asked in a process (python-stdlib/embedded_python/_sysconfig_query.py).</summary>
    private static PythonInstallation? Ask(Discovery discovery, string executable, string why)
    {
        discovery.Note($"{executable} ({why}): asking its sysconfig");
        var script = Path.Combine(AppContext.BaseDirectory, "python-stdlib", "embedded_python", "_sysconfig_query.py");
        var output = discovery.Machine.Run(executable, ["-I", script]);
        var lines = output?.Split('\n').Select(line => line.Trim()).ToArray() ?? [];
        if (lines.Length < 7)
        {
            discovery.Note($"{executable}: the sysconfig query failed");
            return null;
        }
        var (minor, prefix, libDir, multiarch, soName, ldLibrary, shared) = (lines[0], lines[1], lines[2], lines[3], lines[4], lines[5], lines[6]);
        if (shared != "1")
        {
            discovery.Note($"{executable} (Python 3.{minor}, {prefix}): not a shared build (no libpython to load)");
            return null;
        }
        foreach (var name in new[] { soName, ldLibrary }.Where(n => n.Length > 0))
        {
            foreach (var directory in new[] { libDir, Path.Combine(libDir, multiarch) })
            {
                var candidate = Path.Combine(directory, name);
                if (discovery.Machine.FileExists(candidate))
                    return discovery.Accept(candidate, $"from {executable} sysconfig", prefix);
                discovery.Note($"{candidate} (from {executable} sysconfig): no such file");
            }
        }
        return null;
    }
}

namespace EmbeddedPython.Locating;

/// <summary>
/// Resolves a pyenv shim the way <c>pyenv exec</c> does, by reading pyenv's version files instead of running
/// the shim (a bash script that starts pyenv, about 80 ms): <c>PYENV_VERSION</c>, else the first
/// <c>.python-version</c> up from the working folder (or <c>PYENV_DIR</c>), else <c>$PYENV_ROOT/version</c>,
/// else <c>system</c>. A version may be a prefix (<c>3.12</c>: the newest installed 3.12.x) or a
/// pyenv-virtualenv environment (a folder with <c>pyvenv.cfg</c>).
/// </summary>
internal static class Pyenv
{
    /// <summary>What a shim stands for: an interpreter of a version (maybe a virtual environment's), or the system's.</summary>
    public sealed record Choice(string? Interpreter, VirtualEnvironment? Environment)
    {
        public bool IsSystem => Interpreter is null;
    }

    /// <summary>Whether the file is a pyenv shim: a small script that execs pyenv.</summary>
    public static bool IsShim(IMachine machine, string path)
    {
        var folder = Path.GetFileName(Path.GetDirectoryName(path));
        return folder == "shims" && machine.ReadText(path) is { Length: < 4096 } text && text.StartsWith("#!", StringComparison.Ordinal) && text.Contains("pyenv", StringComparison.Ordinal);
    }

    /// <summary>The interpreter the shim would exec, or null with the reason noted.</summary>
    public static Choice? Resolve(Discovery discovery, string shim, string command)
    {
        var machine = discovery.Machine;
        var root = RootOf(machine, shim);
        var (names, origin) = SelectedVersions(machine, root);
        foreach (var name in names)
        {
            if (name == "system")
                return new Choice(null, null);
            var folder = InstalledFolder(machine, root, name);
            if (folder is null)
            {
                discovery.Note($"{shim} (pyenv version '{name}' from {origin}): not installed under {Path.Combine(root, "versions")}");
                continue;
            }
            var interpreter = Path.Combine(folder, "bin", command);
            if (!machine.FileExists(interpreter))
            {
                discovery.Note($"{shim} (pyenv version '{name}' from {origin}): {interpreter} does not exist");
                continue;
            }
            var environment = machine.FileExists(Path.Combine(folder, "pyvenv.cfg")) ? VirtualEnvironment.Read(machine, folder) : null;
            return new Choice(interpreter, environment);
        }
        return null;
    }

    /// <summary>PYENV_ROOT as the shim itself exports it, else the variable, else ~/.pyenv.</summary>
    private static string RootOf(IMachine machine, string shim)
    {
        const string export = "export PYENV_ROOT=\"";
        var text = machine.ReadText(shim) ?? "";
        var start = text.IndexOf(export, StringComparison.Ordinal);
        if (start >= 0)
        {
            var end = text.IndexOf('"', start + export.Length);
            if (end > start)
                return text[(start + export.Length)..end];
        }
        return machine.Variable("PYENV_ROOT") ?? Path.Combine(machine.HomeDirectory, ".pyenv");
    }

    private static (IReadOnlyList<string> Names, string Origin) SelectedVersions(IMachine machine, string root)
    {
        if (machine.Variable("PYENV_VERSION") is { } variable)
            return (variable.Split(':', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries), "PYENV_VERSION");
        for (var folder = machine.Variable("PYENV_DIR") ?? machine.CurrentDirectory; folder is not null; folder = Path.GetDirectoryName(folder))
        {
            var file = Path.Combine(folder, ".python-version");
            if (ReadVersionFile(machine, file) is { } names)
                return (names, file);
        }
        var global = Path.Combine(root, "version");
        return ReadVersionFile(machine, global) is { } globalNames ? (globalNames, global) : (["system"], "no version file");
    }

    /// <summary>The version names of a version file (words, lines starting with # ignored), or null when it names none.</summary>
    private static string[]? ReadVersionFile(IMachine machine, string file)
    {
        if (!machine.FileExists(file))
            return null;
        var names = (machine.ReadText(file) ?? "")
            .Split('\n')
            .Where(line => !line.TrimStart().StartsWith('#'))
            .SelectMany(line => line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries))
            .Where(name => !name.Contains("..", StringComparison.Ordinal))
            .ToArray();
        return names.Length > 0 ? names : null;
    }

    /// <summary>versions/NAME, or for a prefix such as 3.12 the newest installed versions/3.12.N.</summary>
    private static string? InstalledFolder(IMachine machine, string root, string name)
    {
        var versions = Path.Combine(root, "versions");
        var exact = Path.Combine(versions, name);
        if (machine.DirectoryExists(exact))
            return exact;
        return LibraryName.NewestFirst(machine.Directories(versions, name + ".*")).FirstOrDefault();
    }
}

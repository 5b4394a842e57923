namespace EmbeddedPython.Locating;

/// <summary>
/// Finds libpython in the order of DESIGN §6: the option, <c>EMBEDDEDPYTHON_LIBPYTHON</c>, the active
/// virtual environment, the <c>python3</c> on PATH (a pyenv shim resolved by reading pyenv's files, a real
/// interpreter by the files beside it), then well-known locations. What the automatic steps find is cached
/// (<see cref="DiscoveryCache"/>). Every place tried is remembered so that failure says exactly where it looked.
/// </summary>
internal static class PythonLocator
{
    public const string LibraryVariable = "EMBEDDEDPYTHON_LIBPYTHON";

    public static PythonInstallation Locate(PythonExecutorOptions options) => Locate(options, RealMachine.Instance);

    public static PythonInstallation Locate(PythonExecutorOptions options, IMachine machine)
    {
        var recorder = new RecordingMachine(machine);
        var discovery = new Discovery(recorder);
        var environment = options.VirtualEnvironment is not null
            ? VirtualEnvironment.Read(recorder, options.VirtualEnvironment)
            : ActiveEnvironment(discovery);
        var sitePackages = environment?.SitePackages ?? [];

        if (!string.IsNullOrEmpty(options.PythonLibrary))
            return WithSitePackages(discovery.Accept(options.PythonLibrary, "option PythonLibrary"), sitePackages) ?? throw NotFound(discovery);
        if (machine.Variable(LibraryVariable) is { } fromVariable)
            return WithSitePackages(discovery.Accept(fromVariable, $"environment variable {LibraryVariable}"), sitePackages) ?? throw NotFound(discovery);

        var key = DiscoveryCache.Key(machine, options.VirtualEnvironment);
        if (DiscoveryCache.Load(machine, key) is { } cached)
            return cached;
        var found = Search(discovery, environment);
        if (found is null)
            throw NotFound(discovery);
        DiscoveryCache.Save(machine, key, found, recorder.Inputs);
        return found;
    }

    /// <summary>The virtual environment, the python3 on PATH, then well-known locations.</summary>
    private static PythonInstallation? Search(Discovery discovery, VirtualEnvironment? environment)
    {
        var sitePackages = environment?.SitePackages ?? [];
        if (environment is not null)
        {
            var found = environment.Interpreter(discovery.Machine) is { } interpreter
                ? InterpreterLibrary.Find(discovery, interpreter, $"virtual environment {environment.Root}", environment.Minor)
                : null;
            if (found is not null)
                return found with { SitePackages = sitePackages };
            discovery.Note($"{environment.Home} (home of virtual environment {environment.Root}): no usable base interpreter");
        }
        var onPath = FromPath(discovery);
        if (onPath is not null)
            return environment is null ? onPath : onPath with { SitePackages = sitePackages };
        foreach (var (library, label) in WellKnownLocations.Candidates(discovery.Machine))
        {
            if (discovery.Accept(library, $"well-known location: {label}") is { } found)
                return found with { SitePackages = sitePackages };
        }
        return null;
    }

    /// <summary><c>VIRTUAL_ENV</c>, the environment an activate script made current; a broken one is noted and passed over.</summary>
    private static VirtualEnvironment? ActiveEnvironment(Discovery discovery)
    {
        if (discovery.Machine.Variable("VIRTUAL_ENV") is not { } root)
            return null;
        try
        {
            return VirtualEnvironment.Read(discovery.Machine, root);
        }
        catch (ArgumentException e)
        {
            discovery.Note($"{root} (environment variable VIRTUAL_ENV): {e.Message}");
            return null;
        }
    }

    /// <summary>
    /// The first python3 on PATH, as the shell would run it: a pyenv shim stands for the version pyenv
    /// selects (or, for <c>system</c>, the next python3 on PATH outside the shims folder).
    /// </summary>
    private static PythonInstallation? FromPath(Discovery discovery)
    {
        var machine = discovery.Machine;
        var separator = machine.Kind == MachineKind.Windows ? ';' : ':';
        string[] names = machine.Kind == MachineKind.Windows ? ["python.exe", "python3.exe"] : ["python3"];
        string? skippedShims = null;
        foreach (var folder in (machine.Variable("PATH") ?? "").Split(separator, StringSplitOptions.RemoveEmptyEntries))
        {
            if (folder == skippedShims)
                continue;
            foreach (var name in names)
            {
                var candidate = Path.Combine(folder, name);
                if (!machine.FileExists(candidate))
                    continue;
                if (machine.Kind == MachineKind.Windows && folder.Contains("WindowsApps", StringComparison.OrdinalIgnoreCase))
                {
                    discovery.Note($"{candidate} (on PATH): a Microsoft Store alias; Store installs are looked for among the well-known locations");
                    continue;
                }
                if (!Pyenv.IsShim(machine, candidate))
                    return InterpreterLibrary.Find(discovery, candidate, "python3 on PATH");
                var choice = Pyenv.Resolve(discovery, candidate, name);
                if (choice is null)
                    return null;
                if (choice.IsSystem)
                {
                    skippedShims = folder;
                    break;
                }
                var found = InterpreterLibrary.Find(discovery, choice.Interpreter!, $"pyenv shim {candidate}", choice.Environment?.Minor);
                return found is not null && choice.Environment is not null ? found with { SitePackages = choice.Environment.SitePackages } : found;
            }
        }
        discovery.Note($"{string.Join(" or ", names)}: not found on PATH");
        return null;
    }

    private static PythonInstallation? WithSitePackages(PythonInstallation? found, IReadOnlyList<string> sitePackages) =>
        found is null ? null : found with { SitePackages = sitePackages };

    private static DllNotFoundException NotFound(Discovery discovery) => new(
        $"No CPython 3.{LibraryName.MinMinor}–3.{LibraryName.MaxMinor} shared library was found. Set PythonExecutorOptions.PythonLibrary or "
        + $"{LibraryVariable} to a libpython3.X.so. Tried:\n  - " + string.Join("\n  - ", discovery.Tried));
}

using System.Diagnostics;
using System.Text.RegularExpressions;

namespace EmbeddedPython.Locating;

/// <summary>
/// Finds libpython in the order of DESIGN §6: the option, <c>EMBEDDEDPYTHON_LIBPYTHON</c>, the <c>python3</c>
/// on PATH (asked through sysconfig, which knows Debian's multiarch folder), then well-known locations.
/// Every place tried is remembered so that failure says exactly where it looked.
/// </summary>
internal static partial class PythonLocator
{
    public const string LibraryVariable = "EMBEDDEDPYTHON_LIBPYTHON";
    private const int MinMinor = 9, MaxMinor = 13;

    public static PythonInstallation Locate(PythonExecutorOptions options)
    {
        var tried = new List<string>();
        var venv = options.VirtualEnvironment is null ? null : VirtualEnvironment.Read(options.VirtualEnvironment);
        var sitePackages = venv?.SitePackages ?? [];

        if (!string.IsNullOrEmpty(options.PythonLibrary))
            return FromLibrary(options.PythonLibrary, "option PythonLibrary", tried, sitePackages)
                ?? throw NotFound(tried);

        var fromEnvironment = Environment.GetEnvironmentVariable(LibraryVariable);
        if (!string.IsNullOrEmpty(fromEnvironment))
            return FromLibrary(fromEnvironment, $"environment variable {LibraryVariable}", tried, sitePackages)
                ?? throw NotFound(tried);

        var interpreters = new List<string>();
        if (venv is not null)
            interpreters.Add(Path.Combine(venv.Home, "python3"));
        interpreters.Add("python3");
        foreach (var interpreter in interpreters)
        {
            var found = AskInterpreter(interpreter, tried);
            if (found is not null)
                return found with { SitePackages = sitePackages };
        }

        foreach (var candidate in WellKnownLibraries())
        {
            if (File.Exists(candidate))
            {
                var found = FromLibrary(candidate, "well-known location", tried, sitePackages);
                if (found is not null)
                    return found;
            }
            else
            {
                tried.Add($"{candidate} (well-known location): no such file");
            }
        }
        throw NotFound(tried);
    }

    private static DllNotFoundException NotFound(List<string> tried) => new(
        "No CPython 3.9–3.13 shared library was found. Set PythonExecutorOptions.PythonLibrary or "
        + $"{LibraryVariable} to a libpython3.X.so. Tried:\n  - " + string.Join("\n  - ", tried));

    private static PythonInstallation? FromLibrary(string library, string source, List<string> tried, IReadOnlyList<string> sitePackages)
    {
        if (!File.Exists(library))
        {
            tried.Add($"{library} ({source}): no such file");
            return null;
        }
        var minor = MinorFromFileName(Path.GetFileName(library));
        if (minor is null)
        {
            tried.Add($"{library} ({source}): not a libpython3.X shared library name");
            return null;
        }
        if (minor is < MinMinor or > MaxMinor)
        {
            tried.Add($"{library} ({source}): Python 3.{minor} is not supported (3.{MinMinor}–3.{MaxMinor})");
            return null;
        }
        return new PythonInstallation(Path.GetFullPath(library), HomeOf(library, minor.Value), minor.Value, sitePackages);
    }

    /// <summary>The prefix whose lib/python3.X/os.py exists, searched upwards from the library's folder.</summary>
    private static string? HomeOf(string library, int minor)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(library));
        for (var depth = 0; directory is not null && depth < 4; depth++, directory = Path.GetDirectoryName(directory))
        {
            if (File.Exists(Path.Combine(directory, "lib", $"python3.{minor}", "os.py")))
                return directory;
        }
        return null;
    }

    private static int? MinorFromFileName(string fileName)
    {
        var match = LibraryName().Match(fileName);
        return match.Success ? int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) : null;
    }

    [GeneratedRegex(@"^libpython3\.(\d+)\.so(\.[\d.]+)?$")]
    private static partial Regex LibraryName();

    // Prints what sysconfig knows: where the shared library is and under which prefix the stdlib lives.
    private const string SysconfigQuery =
        "import sysconfig, sys\n"
        + "v = sysconfig.get_config_var\n"
        + "print(sys.version_info[1]); print(sys.base_prefix); print(v('LIBDIR') or ''); print(v('MULTIARCH') or '');"
        + "print(v('INSTSONAME') or ''); print(v('LDLIBRARY') or ''); print(v('Py_ENABLE_SHARED') or 0)";

    private static PythonInstallation? AskInterpreter(string interpreter, List<string> tried)
    {
        string[] lines;
        try
        {
            var start = new ProcessStartInfo(interpreter, ["-I", "-c", SysconfigQuery])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            using var process = Process.Start(start)!;
            var output = process.StandardOutput.ReadToEnd();
            if (!process.WaitForExit(10_000) || process.ExitCode != 0)
            {
                tried.Add($"{interpreter} on PATH: sysconfig query failed");
                return null;
            }
            lines = output.Split('\n');
        }
        catch (System.ComponentModel.Win32Exception)
        {
            tried.Add($"{interpreter}: not found on PATH");
            return null;
        }
        if (lines.Length < 7)
        {
            tried.Add($"{interpreter}: unexpected sysconfig answer");
            return null;
        }
        var (minor, prefix, libDir, multiarch, soName, ldLibrary, shared) =
            (lines[0].Trim(), lines[1].Trim(), lines[2].Trim(), lines[3].Trim(), lines[4].Trim(), lines[5].Trim(), lines[6].Trim());
        if (shared != "1")
        {
            tried.Add($"{interpreter} (Python 3.{minor}, {prefix}): not a shared build (no libpython to load)");
            return null;
        }
        foreach (var name in new[] { soName, ldLibrary }.Where(n => n.Length > 0))
        {
            foreach (var directory in new[] { libDir, Path.Combine(libDir, multiarch) })
            {
                var candidate = Path.Combine(directory, name);
                if (File.Exists(candidate) && MinorFromFileName(name) is { } m && m is >= MinMinor and <= MaxMinor)
                    return new PythonInstallation(candidate, prefix, m, []);
                tried.Add($"{candidate} (from {interpreter} sysconfig): not a usable libpython");
            }
        }
        return null;
    }

    private static IEnumerable<string> WellKnownLibraries()
    {
        var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        for (var minor = MaxMinor; minor >= MinMinor; minor--)
        {
            foreach (var directory in new[] { "/usr/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu", "/usr/lib64", "/usr/lib", "/usr/local/lib" })
                yield return Path.Combine(directory, $"libpython3.{minor}.so.1.0");
            yield return Path.Combine(home, ".pyenv", "versions", $"3.{minor}", "lib", $"libpython3.{minor}.so.1.0");
        }
    }
}

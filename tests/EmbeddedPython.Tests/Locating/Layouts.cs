namespace EmbeddedPython.Tests.Locating;

/// <summary>Installations laid out in a fake machine's folder tree the way their installers lay them out.</summary>
internal static class Layouts
{
    /// <summary>A Unix prefix with bin/python3.X, lib/python3.X/os.py and, unless told otherwise, lib/libpython3.X.so.1.0.</summary>
    public static string UnixPrefix(FakeMachine machine, string prefix, int minor, bool library = true)
    {
        machine.Touch($"{prefix}/bin/python3.{minor}", "\x7fELF");
        machine.Link($"{prefix}/bin/python3", $"python3.{minor}");
        machine.Touch($"{prefix}/lib/python3.{minor}/os.py");
        if (library)
            machine.Touch($"{prefix}/lib/libpython3.{minor}.so.1.0");
        return machine.At(prefix);
    }

    public const string ShimText = "#!/usr/bin/env bash\nset -e\nprogram=\"${0##*/}\"\nexport PYENV_ROOT=\"{ROOT}\"\nexec \"{ROOT}/libexec/pyenv\" exec \"$program\" \"$@\"\n";

    /// <summary>A pyenv root with a python3 shim and the given versions installed; returns the shim's path.</summary>
    public static string Pyenv(FakeMachine machine, params string[] versions)
    {
        var root = machine.At("home/user/.pyenv");
        foreach (var version in versions)
            UnixPrefix(machine, $"home/user/.pyenv/versions/{version}", int.Parse(version.Split('.')[1], System.Globalization.CultureInfo.InvariantCulture));
        var shim = machine.Touch("home/user/.pyenv/shims/python3", ShimText.Replace("{ROOT}", root, StringComparison.Ordinal));
        machine.Variables["PATH"] = $"{machine.At("home/user/.pyenv/shims")}:{machine.At("usr/bin")}";
        return shim;
    }

    public static string PyenvLibrary(FakeMachine machine, string version) =>
        machine.At($"home/user/.pyenv/versions/{version}/lib/libpython{string.Join('.', version.Split('.').Take(2))}.so.1.0");
}

using EmbeddedPython.WasmCloud.Hosting;

namespace EmbeddedPython.WasmCloud.Python;

/// <summary>
/// Where the Python paths come from: the .NET options first, then the original provider's environment
/// variables, then the 1.x host's named config (a 1.x host clears the environment: spec §1, §12).
/// </summary>
internal static class PythonSettings
{
    public static PythonModules Resolve(WasmCloudProviderOptions options, HostData host, Func<string, string?> environment)
    {
        string? Pick(string? option, string variable, string configKey) =>
            NonEmpty(option) ?? NonEmpty(environment(variable)) ?? NonEmpty(host.Config.GetValueOrDefault(configKey));
        var path = options.PythonPath.Count > 0
            ? options.PythonPath.ToList()
            : (Pick(null, "PYTHON_PATH", "python_path") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries).ToList();
        return new PythonModules(
            Pick(options.PythonMain, "PYTHON_MAIN", "python_main"),
            Pick(options.PythonDispatch, "PYTHON_DISPATCH", "python_dispatch"),
            Pick(options.VirtualEnvironment, "VENV_PATH", "venv_path"),
            path,
            options.ReloadCommand);
    }

    private static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;
}

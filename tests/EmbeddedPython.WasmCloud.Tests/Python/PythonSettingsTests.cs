using EmbeddedPython.WasmCloud.Hosting;
using EmbeddedPython.WasmCloud.Python;

namespace EmbeddedPython.WasmCloud.Tests.Python;

public sealed class PythonSettingsTests
{
    private static readonly HostData HostWithConfig = new()
    {
        Config = new Dictionary<string, string> { ["python_main"] = "/config/main", ["python_dispatch"] = "/config/dispatch.py", ["python_path"] = "/c1:/c2" },
    };

    [Fact]
    public void Options_win_over_environment_variables_which_win_over_the_hosts_named_config()
    {
        var environment = new Dictionary<string, string?> { ["PYTHON_DISPATCH"] = "/env/dispatch.py", ["VENV_PATH"] = "/env/venv" };
        var modules = PythonSettings.Resolve(new WasmCloudProviderOptions { PythonMain = "/options/main" }, HostWithConfig, environment.GetValueOrDefault);

        Assert.Equal("/options/main", modules.Main);
        Assert.Equal("/env/dispatch.py", modules.Dispatch);
        Assert.Equal("/env/venv", modules.VirtualEnvironment);
        Assert.Equal(["/c1", "/c2"], modules.SearchPath);
    }

    [Fact]
    public void PYTHON_PATH_is_split_on_colons_and_options_replace_it()
    {
        var environment = new Dictionary<string, string?> { ["PYTHON_PATH"] = "/a::/b" };
        Assert.Equal(["/a", "/b"], PythonSettings.Resolve(new WasmCloudProviderOptions(), new HostData(), environment.GetValueOrDefault).SearchPath);
        Assert.Equal(["/o"], PythonSettings.Resolve(new WasmCloudProviderOptions { PythonPath = ["/o"] }, new HostData(), environment.GetValueOrDefault).SearchPath);
    }
}

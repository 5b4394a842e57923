namespace EmbeddedPython.Tests.Modules;

/// <summary>embedded_python.modules: the one way adapters load user code.</summary>
[Collection(PythonCollection.Name)]
public sealed class ModuleLoadingTests(PythonFixture fixture) : IDisposable
{
    private readonly IPythonExecutor _python = fixture.Executor;
    private readonly string _folder = Directory.CreateTempSubdirectory("embeddedpython-modules").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private Task<PythonResult> RunAsync(string code) =>
        _python.ExecuteAsync(code, new Dictionary<string, object?> { ["folder"] = _folder });

    [Fact]
    public async Task A_file_is_loaded_from_source_and_again_only_when_it_changed()
    {
        var file = Path.Combine(_folder, "handler_v.py");
        File.WriteAllText(file, "VERSION = 1\n");
        const string load = "import os\nfrom embedded_python import modules\nm = modules.load_file(os.path.join(folder, 'handler_v.py'))\nversion = m.VERSION\nsame = m is modules.load_file(os.path.join(folder, 'handler_v.py'))";
        var first = await RunAsync(load);
        Assert.Equal(1L, first.Get<long>("version"));
        Assert.True(first.Get<bool>("same"));

        File.WriteAllText(file, "VERSION = 22\n"); // same second, other size: still seen as a change
        Assert.Equal(22L, (await RunAsync(load)).Get<long>("version"));
    }

    [Fact]
    public async Task A_file_that_fails_to_run_leaves_no_half_module_behind()
    {
        File.WriteAllText(Path.Combine(_folder, "broken_mod.py"), "A = 1\nraise ValueError('boom in module')\n");
        var error = await Assert.ThrowsAsync<PythonException>(() => RunAsync(
            "import os\nfrom embedded_python import modules\nmodules.load_file(os.path.join(folder, 'broken_mod.py'))"));
        Assert.Contains("boom in module", error.Message);
        Assert.False((await RunAsync("import sys\nleft = 'broken_mod' in sys.modules")).Get<bool>("left"));
    }

    [Fact]
    public async Task A_module_of_the_same_name_from_another_folder_does_not_shadow_this_one()
    {
        var other = Directory.CreateDirectory(Path.Combine(_folder, "other")).FullName;
        var mine = Directory.CreateDirectory(Path.Combine(_folder, "mine")).FullName;
        File.WriteAllText(Path.Combine(other, "clash_mod.py"), "WHO = 'other'\n");
        File.WriteAllText(Path.Combine(mine, "clash_mod.py"), "WHO = 'mine'\n");
        var result = await RunAsync(
            "import os\nfrom embedded_python import modules\n"
            + "a = modules.import_from(os.path.join(folder, 'other'), 'clash_mod').WHO\n"
            + "b = modules.import_from(os.path.join(folder, 'mine'), 'clash_mod').WHO");
        Assert.Equal("other", result.Get<string>("a"));
        Assert.Equal("mine", result.Get<string>("b"));
    }

    [Fact]
    public async Task A_fresh_import_sees_an_edited_sibling_module()
    {
        File.WriteAllText(Path.Combine(_folder, "entry_mod.py"), "from helper_mod import VALUE\n");
        File.WriteAllText(Path.Combine(_folder, "helper_mod.py"), "VALUE = 'first'\n");
        const string load = "from embedded_python import modules\nvalue = modules.import_from(folder, 'entry_mod', fresh=True).VALUE";
        Assert.Equal("first", (await RunAsync(load)).Get<string>("value"));
        File.WriteAllText(Path.Combine(_folder, "helper_mod.py"), "VALUE = 'second edit'\n");
        Assert.Equal("second edit", (await RunAsync(load)).Get<string>("value"));
    }

    [Fact]
    public async Task A_missing_function_is_a_load_error_naming_module_file_and_signature()
    {
        File.WriteAllText(Path.Combine(_folder, "no_handle.py"), "handle = 3\n");
        var error = await Assert.ThrowsAsync<PythonException>(() => RunAsync(
            "import os\nfrom embedded_python import modules\nm = modules.load_file(os.path.join(folder, 'no_handle.py'))\nmodules.require_callable(m, 'handle', 'handle(operation, arg)')"));
        Assert.Equal("embedded_python.modules.LoadError", error.PythonType);
        Assert.Contains("'no_handle'", error.Message);
        Assert.Contains("no_handle.py", error.Message);
        Assert.Contains("handle(operation, arg)", error.Message);
        Assert.Contains("found a int", error.Message);
    }

    [Fact]
    public async Task Something_that_is_not_a_python_file_or_folder_is_named_in_the_error()
    {
        var error = await Assert.ThrowsAsync<PythonException>(() => RunAsync(
            "import os\nfrom embedded_python import modules\nmodules.import_from(os.path.join(folder, 'nowhere'), 'x')"));
        Assert.Equal("embedded_python.modules.LoadError", error.PythonType);
        Assert.Contains("nowhere", error.Message);
    }
}

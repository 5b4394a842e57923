using System.Net;
using System.Net.Sockets;

namespace EmbeddedPython.Tests.Policy;

/// <summary>Each family of audited operations under a policy, denied and allowed, and the same code without one.</summary>
[Collection(PythonCollection.Name)]
public sealed class PolicyTests(PythonFixture fixture) : IDisposable
{
    private readonly IPythonExecutor _python = fixture.Executor;
    private readonly string _inside = Directory.CreateTempSubdirectory("policy-inside").FullName;
    private readonly string _outside = Directory.CreateTempSubdirectory("policy-outside").FullName;

    public void Dispose()
    {
        Directory.Delete(_inside, recursive: true);
        Directory.Delete(_outside, recursive: true);
    }

    private Task<PythonResult> Run(string code, PythonPolicy? policy, IReadOnlyDictionary<string, object?>? presets = null) =>
        _python.ExecuteAsync(new PythonRequest { Code = code, Policy = policy, PresetValues = presets ?? Folders(), Timeout = TimeSpan.FromSeconds(20) });

    private Dictionary<string, object?> Folders() => new() { ["inside"] = _inside, ["outside"] = _outside };

    private async Task<string> Denied(string code, PythonPolicy policy, string eventName)
    {
        var error = await Assert.ThrowsAsync<PythonException>(() => Run(code, policy));
        Assert.Equal("PermissionError", error.PythonType);
        Assert.StartsWith($"{eventName} denied by policy: ", error.Message);
        return error.Message;
    }

    // ---- processes ----

    private static readonly PythonPolicy NoProcesses = new() { DenyProcesses = true };

    [Theory]
    [InlineData("import subprocess\nsubprocess.run(['true'])", "subprocess.Popen")]
    [InlineData("import os\nos.system('true')", "os.system")]
    [InlineData("import os\nos.posix_spawn('/bin/true', ['true'], {})", "os.posix_spawn")]
    [InlineData("import os\nos.execv('/bin/true', ['true'])", "os.exec")]
    [InlineData("import os\npid = os.fork()\nif pid == 0:\n    os._exit(0)", "os.fork")]
    public async Task Starting_a_process_is_denied_under_DenyProcesses(string code, string eventName)
    {
        var message = await Denied(code, NoProcesses, eventName);
        Assert.EndsWith("DenyProcesses", message);
    }

    [Theory]
    [InlineData("import subprocess\ncode = subprocess.run(['true']).returncode")]
    [InlineData("import os\ncode = os.system('true')")]
    [InlineData("import os\ncode = os.waitpid(os.posix_spawn('/bin/true', ['true'], {}), 0)[1]")]
    public async Task Starting_a_process_works_without_a_policy_and_under_one_that_allows_it(string code)
    {
        Assert.Equal(0L, (await Run(code, null)).Values["code"]);
        Assert.Equal(0L, (await Run(code, new PythonPolicy { DenyNativeCode = true })).Values["code"]);
    }

    // ---- native code ----

    [Theory]
    [InlineData("import ctypes\nctypes.CDLL('libc.so.6')", "ctypes.dlopen")]
    [InlineData("import ctypes\nctypes.string_at(id(1), 8)", "ctypes.string_at")]
    [InlineData("import ctypes\nctypes.create_string_buffer(8)", "ctypes.create_string_buffer")]
    public async Task Ctypes_is_denied_under_DenyNativeCode(string code, string eventName)
    {
        await Run("import ctypes", null); // imported already: the policy stops its use, not only its import
        var message = await Denied(code, new PythonPolicy { DenyNativeCode = true }, eventName);
        Assert.EndsWith("DenyNativeCode", message);
        await Run(code, null);
        await Run(code, NoProcesses);
    }

    // ---- files ----

    [Fact]
    public async Task Writes_are_allowed_inside_WritableFolders_only()
    {
        var policy = new PythonPolicy { WritableFolders = [_inside] };
        await Run("import os\nwith open(os.path.join(inside, 'a.txt'), 'w') as f:\n    f.write('x')\nos.mkdir(os.path.join(inside, 'sub'))\nos.rename(os.path.join(inside, 'a.txt'), os.path.join(inside, 'sub', 'b.txt'))", policy);
        Assert.True(File.Exists(Path.Combine(_inside, "sub", "b.txt")));

        var message = await Denied("import os\nopen(os.path.join(outside, 'a.txt'), 'w')", policy, "open");
        Assert.Contains($"WritableFolders does not include {Path.Combine(_outside, "a.txt")}", message);
        await Denied("import os\nopen(os.path.join(outside, 'a.txt'), 'a')", policy, "open");
        await Denied("import os\nos.close(os.open(os.path.join(outside, 'a.txt'), os.O_WRONLY | os.O_CREAT))", policy, "open");
        File.WriteAllText(Path.Combine(_outside, "keep.txt"), "keep");
        await Denied("import os\nos.remove(os.path.join(outside, 'keep.txt'))", policy, "os.remove");
        await Denied("import os\nos.rename(os.path.join(outside, 'keep.txt'), os.path.join(inside, 'stolen.txt'))", policy, "os.rename");
        await Denied("import os\nos.mkdir(os.path.join(outside, 'd'))", policy, "os.mkdir");
        await Denied("import os\nopen(os.path.join(inside, '..', os.path.basename(outside), 'a.txt'), 'w')", policy, "open");
        Assert.Equal("keep", File.ReadAllText(Path.Combine(_outside, "keep.txt")));
        Assert.False(File.Exists(Path.Combine(_outside, "a.txt")));

        // The same code without a policy writes where it likes.
        await Run("import os\nwith open(os.path.join(outside, 'a.txt'), 'w') as f:\n    f.write('x')", null);
        Assert.True(File.Exists(Path.Combine(_outside, "a.txt")));
    }

    [Fact]
    public async Task A_link_inside_a_writable_folder_does_not_lead_outside_it()
    {
        File.WriteAllText(Path.Combine(_outside, "target.txt"), "original");
        File.CreateSymbolicLink(Path.Combine(_inside, "link.txt"), Path.Combine(_outside, "target.txt"));
        Directory.CreateSymbolicLink(Path.Combine(_inside, "dirlink"), _outside);
        var policy = new PythonPolicy { WritableFolders = [_inside] };
        await Denied("import os\nopen(os.path.join(inside, 'link.txt'), 'w')", policy, "open");
        await Denied("import os\nopen(os.path.join(inside, 'dirlink', 'new.txt'), 'w')", policy, "open");
        await Denied("import os\nos.link(os.path.join(outside, 'target.txt'), os.path.join(inside, 'hard.txt'))", policy, "os.link");
        Assert.Equal("original", File.ReadAllText(Path.Combine(_outside, "target.txt")));
    }

    [Fact]
    public async Task An_empty_WritableFolders_allows_no_writes_and_Strict_none_either()
    {
        await Denied("import os\nopen(os.path.join(inside, 'a.txt'), 'w')", new PythonPolicy { WritableFolders = [] }, "open");
        await Denied("import os\nopen(os.path.join(inside, 'a.txt'), 'w')", PythonPolicy.Strict, "open");
    }

    [Fact]
    public async Task Reads_are_allowed_inside_ReadableFolders_and_the_interpreters_own_files_so_imports_work()
    {
        File.WriteAllText(Path.Combine(_inside, "in.txt"), "in");
        File.WriteAllText(Path.Combine(_outside, "out.txt"), "out");
        var policy = new PythonPolicy { ReadableFolders = [_inside] };
        var allowed = await Run("import os, importlib, sys\nsys.modules.pop('colorsys', None)\nimport colorsys, wave\ntext = open(os.path.join(inside, 'in.txt')).read()\nnames = os.listdir(inside)", policy);
        Assert.Equal("in", allowed.Values["text"]);
        var message = await Denied("import os\nopen(os.path.join(outside, 'out.txt')).read()", policy, "open");
        Assert.Contains($"ReadableFolders does not include {Path.Combine(_outside, "out.txt")}", message);
        await Denied("import os\nos.listdir(outside)", policy, "os.listdir");
        await Denied("import os\nlist(os.scandir(outside))", policy, "os.scandir");
        await Denied("open('/etc/hostname').read()", PythonPolicy.Strict, "open");
        var strictImports = await Run("import sys\nsys.modules.pop('colorsys', None)\nimport colorsys\nok = colorsys.rgb_to_hsv(1.0, 0.0, 0.0)[2]", PythonPolicy.Strict);
        Assert.Equal(1.0, strictImports.Values["ok"]);

        var unrestricted = await Run("import os\ntext = open(os.path.join(outside, 'out.txt')).read()", null);
        Assert.Equal("out", unrestricted.Values["text"]);
    }

    [Fact]
    public async Task A_writable_folder_is_readable_too()
    {
        File.WriteAllText(Path.Combine(_inside, "in.txt"), "in");
        var result = await Run("import os\ntext = open(os.path.join(inside, 'in.txt')).read()", new PythonPolicy { ReadableFolders = [], WritableFolders = [_inside] });
        Assert.Equal("in", result.Values["text"]);
    }

    // ---- network ----

    [Fact]
    public async Task Connections_and_binds_must_match_AllowedHosts()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var presets = new Dictionary<string, object?> { ["port"] = port };
        const string Connect = "import socket\ns = socket.create_connection(('127.0.0.1', port), timeout=5)\ns.close()\nok = True";

        foreach (var allowed in new[] { $"127.0.0.1:{port}", "127.0.0.1:*", "127.0.0.*:*", "*" })
        {
            var result = await Run(Connect, new PythonPolicy { AllowedHosts = [allowed] }, presets);
            Assert.Equal(true, result.Values["ok"]);
        }
        var error = await Assert.ThrowsAsync<PythonException>(() => Run(Connect, new PythonPolicy { AllowedHosts = ["127.0.0.1:1"] }, presets));
        Assert.Equal("PermissionError", error.PythonType);
        Assert.Equal($"socket.connect denied by policy: AllowedHosts does not match 127.0.0.1:{port}", error.Message);
        await Assert.ThrowsAsync<PythonException>(() => Run(Connect, new PythonPolicy { AllowedHosts = [] }, presets));
        await Assert.ThrowsAsync<PythonException>(() => Run(Connect, PythonPolicy.Strict, presets));
        var bind = await Assert.ThrowsAsync<PythonException>(() => Run("import socket\nsocket.socket().bind(('127.0.0.1', 0))", new PythonPolicy { AllowedHosts = ["10.0.0.1:*"] }));
        Assert.StartsWith("socket.bind denied by policy: AllowedHosts does not match 127.0.0.1:0", bind.Message);
        var udp = await Assert.ThrowsAsync<PythonException>(() => Run("import socket\nsocket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b'x', ('127.0.0.1', 9))", new PythonPolicy { AllowedHosts = [] }));
        Assert.StartsWith("socket.sendto denied by policy", udp.Message);

        Assert.Equal(true, (await Run(Connect, null, presets)).Values["ok"]);
    }

    // ---- requests, tasks and threads ----

    [Fact]
    public async Task The_policy_holds_in_the_requests_tasks_even_after_the_request_ended_and_not_in_the_next_request()
    {
        var policy = new PythonPolicy { WritableFolders = [_inside] };
        var inTask = await Assert.ThrowsAsync<PythonException>(() => Run("import asyncio, os\nawait asyncio.sleep(0.01)\nopen(os.path.join(outside, 'a.txt'), 'w')", policy));
        Assert.Equal("PermissionError", inTask.PythonType);

        await Run("import asyncio, builtins, os\nasync def later():\n    await asyncio.sleep(0.2)\n    try:\n        open(os.path.join(outside, 'late.txt'), 'w').close()\n        builtins._policy_probe = 'written'\n"
            + "    except PermissionError as e:\n        builtins._policy_probe = str(e)\nbuiltins._policy_probe = None\nasyncio.get_event_loop().create_task(later())", policy);
        await Task.Delay(600);
        var probe = await Run("import builtins\nprobe = builtins._policy_probe", null);
        Assert.StartsWith("open denied by policy", (string)probe.Values["probe"]!);
        Assert.False(File.Exists(Path.Combine(_outside, "late.txt")));

        await Run("import os\nopen(os.path.join(outside, 'next.txt'), 'w').close()", null);
        Assert.True(File.Exists(Path.Combine(_outside, "next.txt")));
    }

    [Fact]
    public async Task A_request_with_a_policy_cannot_start_threads_and_one_without_can()
    {
        const string Start = "import threading\nt = threading.Thread(target=lambda: None)\nt.start()\nt.join()\nok = True";
        var error = await Assert.ThrowsAsync<PythonException>(() => Run(Start, new PythonPolicy { WritableFolders = [_inside] }));
        Assert.Equal("PermissionError", error.PythonType);
        Assert.Contains("cannot start threads", error.Message);
        Assert.Equal(true, (await Run(Start, new PythonPolicy())).Values["ok"]); // a policy that restricts nothing
        Assert.Equal(true, (await Run(Start, null)).Values["ok"]);
    }

    [Fact]
    public async Task A_malformed_policy_is_refused_before_it_runs()
    {
        var folder = await Assert.ThrowsAsync<ArgumentException>(() => Run("x = 1", new PythonPolicy { WritableFolders = ["relative/path"] }));
        Assert.Contains("WritableFolders[0]", folder.Message);
        var host = await Assert.ThrowsAsync<ArgumentException>(() => Run("x = 1", new PythonPolicy { AllowedHosts = ["no-port"] }));
        Assert.Contains("AllowedHosts[0]", host.Message);
    }

    [Fact]
    public async Task DefaultPolicy_applies_to_requests_without_one_and_a_requests_own_replaces_it()
    {
        var (exitCode, output) = await ChildProcess.RunAsync("default-policy");
        Assert.True(exitCode == 0, output);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Equal("PermissionError: subprocess.Popen denied by policy: DenyProcesses", lines[0]);
        Assert.Equal("ran", lines[1]);
    }
}

using EmbeddedPython.CPython;
using EmbeddedPython.Memory;
using EmbeddedPython.Policy;
using EmbeddedPython.Protection;

namespace EmbeddedPython.Execution;

// Start-up, on the interpreter thread: find and load libpython, initialise CPython, install the host's
// Python half (embedded_python._runtime) and put the search paths in place.
internal sealed partial class Interpreter
{
    private unsafe void Start()
    {
        var installation = _installation = Environments.RequirementsInstaller.Locate(_options, _logger);
        if (installation.Home is not null)
            Libc.setenv("PYTHONHOME", installation.Home, 1);
        var library = LibPython.Open(installation.Library);
        Py.Bind(library);
        if (Py.Py_IsInitialized() != 0)
            throw new InvalidOperationException("CPython is already initialised in this process by something other than EmbeddedPython.");
        // No Python signal handlers (Ctrl+C stays with .NET); this thread becomes Python's main thread,
        // which is what lets a signal interrupt time.sleep and blocking waits.
        Py.Py_InitializeEx(0);
        PythonVersion = System.Runtime.InteropServices.Marshal.PtrToStringUTF8(Py.Py_GetVersion());
        Register();
        LoadRuntime();
        if (_options.ProcessMemoryLimit is { } processLimit)
            AllocatorHook.LimitProcess(processLimit);
        else if (_options.DefaultMemoryLimit is not null)
            AllocatorHook.Install(); // refuses at start, not at the first request, a Python it cannot hook
        ExtendSysPath(_options.SearchPaths, installation.SitePackages);
        using var signalNumber = PyObject.Steal(Py.PyLong_FromLongLong(_interruption.Signal));
        InstallGuards(signalNumber.Handle);
        LogStarted(_logger, PythonVersion ?? "?", installation.Library);
    }

    /// <summary>A sub-interpreter, on its own thread once the main interpreter runs: its own GIL, and its own
    /// <c>embedded_python._native</c>, runtime module, guards and asyncio loop. Below 3.12 it fails, naming 3.12.</summary>
    private unsafe void StartSub()
    {
        _main!.Ready.GetAwaiter().GetResult();
        _main.ImportBeforeSubInterpreters().GetAwaiter().GetResult();
        _installation = _main._installation;
        PythonVersion = _main.PythonVersion;
        if (Py.Py_NewInterpreterFromConfig == null)
            throw new InvalidOperationException(
                $"PythonExecutorOptions.Interpreters > 1 needs CPython 3.12 or later (sub-interpreters with their own GIL), "
                + $"but this process runs CPython {PythonVersion?.Split(' ')[0]}: set Interpreters to 1, or use CPython 3.12+.");
        _threadState = Py.NewIsolatedInterpreter();
        Register();
        LoadRuntime();
        ExtendSysPath(_options.SearchPaths, _installation.SitePackages);
        InstallGuards(Py.None); // no signal reaches a sub-interpreter: a host sleep and async exceptions instead
        Volatile.Write(ref s_subsRan, true);
        LogSubStarted(_logger, Name);
    }

    /// <summary>On the main interpreter's thread, before a sub-interpreter starts: see
    /// <c>embedded_python._runtime.import_before_sub_interpreters</c>.</summary>
    private Task ImportBeforeSubInterpreters()
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Post(() =>
        {
            try
            {
                using var _ = _runtime.Call("import_before_sub_interpreters");
                done.TrySetResult();
            }
            catch (Exception e)
            {
                done.TrySetException(e);
            }
        });
        return done.Task;
    }

    /// <summary>Makes this interpreter the one native callbacks on its threads report to.</summary>
    private unsafe void Register()
    {
        _interpreterState = Py.PyInterpreterState_Get();
        _pthread = Libc.pthread_self();
        s_byState[_interpreterState] = this;
    }

    private void LoadRuntime()
    {
        Callbacks.InstallNativeModule();
        PutStdlibOnSysPath();
        _runtime = PythonRuntime.Load();
    }

    /// <summary>The runtime's output routing, loop and guards, the .NET half of the guards, and the audit hook.</summary>
    private unsafe void InstallGuards(nint signalNumber)
    {
        using var pipe = _runtime.Call("install", signalNumber, _options.AllowProcessExit ? Py.True : Py.False);
        _protection = HostProtection.Load(_options.AllowProcessExit, IsMain);
        AuditHook.Install();
        _wakePipe = (int)(long)(Marshalling.FromPython.TryConvert(pipe.Handle, out var fd) ? fd! : -1L);
        _interruption.Attach(_pthread);
    }

    /// <summary>The shipped python-stdlib folder (embedded_python) goes first on sys.path.</summary>
    private static unsafe void PutStdlibOnSysPath()
    {
        using var stdlib = PyObject.Steal(Py.FromString(Path.Combine(AppContext.BaseDirectory, "python-stdlib")));
        using var sys = Py.Import("sys");
        using var path = sys.IsNull ? default : Py.GetAttr(sys.Handle, "path");
        if (path.IsNull || Py.PyList_Insert(path.Handle, 0, stdlib.Handle) != 0)
            throw PythonErrors.Take("putting python-stdlib on sys.path");
    }

    /// <summary><see cref="PythonExecutorOptions.SearchPaths"/> (those not there yet) after python-stdlib, and a
    /// virtual environment's site-packages through site.addsitedir (so its .pth files count).</summary>
    private void ExtendSysPath(IEnumerable<string> searchPaths, IEnumerable<string> sitePackages)
    {
        using var paths = Marshalling.ToPython.Convert(searchPaths.Select(Path.GetFullPath).ToList(), "SearchPaths");
        using var sites = Marshalling.ToPython.Convert(sitePackages.ToList(), "site-packages");
        using var _ = _runtime.Call("extend_sys_path", paths.Handle, sites.Handle);
    }
}

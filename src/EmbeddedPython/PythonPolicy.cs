namespace EmbeddedPython;

/// <summary>
/// An opt-in sandbox for a request (<see cref="PythonRequest.Policy"/>, or every request through
/// <see cref="PythonExecutorOptions.DefaultPolicy"/>), enforced by a CPython audit hook (PEP 578). A denied
/// operation raises <c>PermissionError("&lt;event&gt; denied by policy: &lt;rule&gt;")</c> in Python; a request that
/// lets it escape fails with a <see cref="PythonException"/> whose <see cref="PythonException.PythonType"/> is
/// <c>"PermissionError"</c>. Defence in depth, not a process boundary: native code that makes system calls
/// directly is not seen by audit hooks (see the README).
/// </summary>
public sealed record PythonPolicy
{
    /// <summary>Denies starting processes: <c>subprocess</c>, <c>os.system</c>, <c>os.exec*</c>, <c>os.spawn*</c>,
    /// <c>os.posix_spawn</c>, <c>os.fork</c>, <c>pty.spawn</c>.</summary>
    public bool DenyProcesses { get; init; }

    /// <summary>Denies <c>ctypes</c> (loading shared libraries by hand, calling and reading native memory).</summary>
    public bool DenyNativeCode { get; init; }

    /// <summary>Folders whose files may be opened for reading or listed. Null: anywhere. The interpreter's own
    /// library, site-packages, the shipped <c>python-stdlib</c> and the <c>sys.path</c> entries at start stay
    /// readable (so imports work), and so do <see cref="WritableFolders"/>.</summary>
    public IReadOnlyList<string>? ReadableFolders { get; init; }

    /// <summary>Folders in which files may be created, written, renamed or removed. Null: anywhere; empty: nowhere.</summary>
    public IReadOnlyList<string>? WritableFolders { get; init; }

    /// <summary>Addresses sockets may connect, bind or send to, as <c>"host:port"</c> patterns in which <c>*</c>
    /// matches anything (<c>"127.0.0.1:*"</c>, <c>"*.example.com:443"</c>; an IPv6 host in brackets,
    /// <c>"[::1]:80"</c>; a Unix socket by its path). The host is matched as the socket is given it: the IP
    /// address when a library resolved the name first. Null: any; empty: none. Name lookups are not restricted.</summary>
    public IReadOnlyList<string>? AllowedHosts { get; init; }

    /// <summary>Everything denied: no processes, no native code, no writes, no network, reads only of the
    /// interpreter's own files.</summary>
    public static PythonPolicy Strict { get; } = new()
    {
        DenyProcesses = true,
        DenyNativeCode = true,
        ReadableFolders = [],
        WritableFolders = [],
        AllowedHosts = [],
    };
}

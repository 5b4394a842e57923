using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;
using EmbeddedPython.CPython;

namespace EmbeddedPython.Policy;

/// <summary>
/// A <see cref="PythonPolicy"/> made ready for the audit hook: folders made absolute with their links
/// resolved, host patterns compiled. Built once per policy object (a static policy costs nothing per request)
/// and checked against one audit event at a time, on the thread that raised it, holding the GIL.
/// </summary>
internal sealed unsafe class PolicyRules
{
    private static readonly ConditionalWeakTable<PythonPolicy, PolicyRules> s_compiled = new();

    private readonly PythonPolicy _policy;
    private readonly string[]? _readable;
    private readonly string[]? _writable;
    private readonly Regex[]? _hosts;

    private PolicyRules(PythonPolicy policy)
    {
        _policy = policy;
        _readable = Folders(policy.ReadableFolders, nameof(PythonPolicy.ReadableFolders));
        _writable = Folders(policy.WritableFolders, nameof(PythonPolicy.WritableFolders));
        _hosts = policy.AllowedHosts?.Select(HostPattern).ToArray();
        RestrictsAnything = policy.DenyProcesses || policy.DenyNativeCode || _readable is not null || _writable is not null || _hosts is not null;
    }

    /// <summary>The interpreter's own folders (library, site-packages, sys.path at start): always readable.</summary>
    private static string[] InterpreterFolders { get; set; } = [];

    public static void SetInterpreterFolders(IEnumerable<string> folders) =>
        InterpreterFolders = folders.Where(Path.IsPathRooted).Select(f => Canonical(Path.GetFullPath(f))).Distinct().ToArray();

    /// <summary>Whether the policy denies anything at all (one that does not cannot be escaped by a thread).</summary>
    public bool RestrictsAnything { get; }

    /// <summary>The compiled rules of a policy; throws <see cref="ArgumentException"/> naming what is malformed.</summary>
    public static PolicyRules For(PythonPolicy policy) => s_compiled.GetValue(policy, static p => new PolicyRules(p));

    private static string[]? Folders(IReadOnlyList<string>? folders, string property)
    {
        if (folders is null)
            return null;
        var result = new string[folders.Count];
        for (var i = 0; i < folders.Count; i++)
        {
            var folder = folders[i];
            if (string.IsNullOrWhiteSpace(folder) || !Path.IsPathRooted(folder))
                throw new ArgumentException($"PythonPolicy.{property}[{i}] must be an absolute folder path, not '{folder}'.", nameof(PythonRequest.Policy));
            result[i] = Canonical(Path.GetFullPath(folder));
        }
        return result;
    }

    private static Regex HostPattern(string pattern, int index)
    {
        if (string.IsNullOrWhiteSpace(pattern) || (!pattern.Contains(':') && !pattern.StartsWith('/') && pattern != "*"))
            throw new ArgumentException($"PythonPolicy.AllowedHosts[{index}] must be a \"host:port\" pattern (\"*\" matches anything) or a socket path, not '{pattern}'.", nameof(PythonRequest.Policy));
        return new Regex("^" + Regex.Escape(pattern).Replace("\\*", ".*", StringComparison.Ordinal) + "$",
            RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);
    }

    /// <summary>Null when the event is allowed, else the rule that denies it (for the PermissionError's message).</summary>
    public string? Check(string name, nint args)
    {
        switch (name)
        {
            case "open":
                return CheckOpen(args);
            case "os.listdir" or "os.scandir":
                return CheckPath(args, 0, -1, write: false);
            case "os.remove" or "os.rmdir" or "shutil.rmtree":
                return CheckPath(args, 0, 1, write: true);
            case "os.mkdir" or "os.chmod" or "os.mkfifo":
                return CheckPath(args, 0, 2, write: true);
            case "os.chown" or "os.utime" or "os.mknod":
                return CheckPath(args, 0, 3, write: true);
            case "os.truncate":
                return CheckPath(args, 0, -1, write: true);
            case "os.rename" or "os.link":
                return CheckPath(args, 0, 2, write: true) ?? CheckPath(args, 1, 3, write: true);
            case "os.symlink":
                return CheckPath(args, 1, 2, write: true);
            case "subprocess.Popen" or "os.system" or "os.exec" or "os.spawn" or "os.posix_spawn" or "os.fork"
                or "os.forkpty" or "pty.spawn" or "os.startfile":
                return _policy.DenyProcesses ? nameof(PythonPolicy.DenyProcesses) : null;
            case "socket.connect" or "socket.bind" or "socket.sendto" or "socket.sendmsg":
                return CheckAddress(args);
            case "_thread.start_new_thread" or "_thread.start_joinable_thread":
                // Threads do not inherit the request's context, so the hook could not tell their code apart.
                return RestrictsAnything ? "a request with a policy cannot start threads (their code would run outside the policy)" : null;
            default:
                return _policy.DenyNativeCode && name.StartsWith("ctypes.", StringComparison.Ordinal) ? nameof(PythonPolicy.DenyNativeCode) : null;
        }
    }

    // open(path, mode, flags): mode is a str for open()/io.open, None for os.open; flags are the os.open flags.
    private string? CheckOpen(nint args)
    {
        var write = false;
        var mode = Py.PyTuple_GetItem(args, 1);
        if (mode != 0 && Py.TypeOf(mode) == Py.UnicodeType && Py.AsString(mode) is { } text)
            write = text.AsSpan().IndexOfAny("wax+") >= 0;
        var flags = Py.PyTuple_Size(args) > 2 ? Py.PyTuple_GetItem(args, 2) : 0;
        if (flags != 0 && Py.TypeOf(flags) == Py.LongType)
        {
            int overflow;
            write |= (Py.PyLong_AsLongLongAndOverflow(flags, &overflow) & WriteFlags) != 0;
        }
        return CheckPath(args, 0, -1, write);
    }

    // O_WRONLY | O_RDWR | O_CREAT | O_TRUNC | O_APPEND, whose values differ between Linux and macOS.
    private static readonly long WriteFlags = OperatingSystem.IsMacOS() ? 0x1 | 0x2 | 0x200 | 0x400 | 0x8 : 0x1 | 0x2 | 0x40 | 0x200 | 0x400;

    private string? CheckPath(nint args, int pathIndex, int dirFdIndex, bool write)
    {
        var folders = write ? _writable : _readable;
        if (folders is null)
            return null;
        if (Py.PyTuple_Size(args) <= pathIndex)
            return null;
        var argument = Py.PyTuple_GetItem(args, pathIndex);
        if (Py.TypeOf(argument) == Py.LongType)
            return null; // an already open file descriptor
        var path = PathText(argument);
        if (path is null)
            return $"{(write ? nameof(PythonPolicy.WritableFolders) : nameof(PythonPolicy.ReadableFolders))} cannot check a path of type {Py.Str(Py.TypeOf(argument))}";
        var full = Canonical(Path.GetFullPath(path, BaseFolder(args, dirFdIndex)));
        if (Within(full, folders) || (!write && (Within(full, InterpreterFolders) || (_writable is not null && Within(full, _writable)))))
            return null;
        return write
            ? $"{nameof(PythonPolicy.WritableFolders)} does not include {full}"
            : $"{nameof(PythonPolicy.ReadableFolders)} does not include {full}";
    }

    /// <summary>What a relative path is relative to: the folder open as the event's dir_fd, else the working folder.</summary>
    private static string BaseFolder(nint args, int dirFdIndex)
    {
        if (dirFdIndex >= 0 && Py.PyTuple_Size(args) > dirFdIndex
            && Marshalling.FromPython.TryConvert(Py.PyTuple_GetItem(args, dirFdIndex), out var dirFd) && dirFd is long fd)
            return Canonical($"/proc/self/fd/{fd}");
        return Environment.CurrentDirectory;
    }

    private static string? PathText(nint argument)
    {
        if (argument == Py.None)
            return ".";
        using var fsPath = PyObject.Steal(Py.PyOS_FSPath(argument));
        if (fsPath.IsNull)
        {
            Py.PyErr_Clear();
            return null;
        }
        return Text(fsPath.Handle);
    }

    /// <summary>A str, or bytes read as UTF-8 (how paths and host names reach the hook); null for anything else.</summary>
    private static string? Text(nint obj) =>
        Marshalling.FromPython.TryConvert(obj, out var value)
            ? value switch { string s => s, byte[] b => System.Text.Encoding.UTF8.GetString(b), _ => null }
            : null;

    private static bool Within(string path, string[] folders)
    {
        foreach (var folder in folders)
        {
            if (path.StartsWith(folder, StringComparison.Ordinal)
                && (path.Length == folder.Length || path[folder.Length] == '/' || folder.EndsWith('/')))
                return true;
        }
        return false;
    }

    /// <summary>The path with its links resolved (of its deepest existing folder, for a path yet to be created).</summary>
    private static string Canonical(string path)
    {
        var existing = path;
        var rest = "";
        while (true)
        {
            var resolved = Libc.realpath(existing, 0);
            if (resolved != 0)
            {
                var text = System.Runtime.InteropServices.Marshal.PtrToStringUTF8(resolved)!;
                Libc.free(resolved);
                return rest.Length == 0 ? text : Path.Join(text, rest);
            }
            var parent = Path.GetDirectoryName(existing);
            if (string.IsNullOrEmpty(parent))
                return path;
            rest = rest.Length == 0 ? Path.GetFileName(existing) : Path.Join(Path.GetFileName(existing), rest);
            existing = parent;
        }
    }

    // socket.connect/bind/sendto/sendmsg (socket, address): (host, port, ...) for IP sockets, a path for Unix ones.
    private string? CheckAddress(nint args)
    {
        if (_hosts is null)
            return null;
        var address = Py.PyTuple_Size(args) > 1 ? Py.PyTuple_GetItem(args, 1) : 0;
        var text = address == 0 ? null : AddressText(address);
        if (text is not null)
        {
            foreach (var host in _hosts)
            {
                if (host.IsMatch(text))
                    return null;
            }
        }
        return $"{nameof(PythonPolicy.AllowedHosts)} does not match {text ?? "the address"}";
    }

    private static string? AddressText(nint address)
    {
        if (Py.TypeOf(address) == Py.TupleType && Py.PyTuple_Size(address) >= 2)
        {
            var hostText = Text(Py.PyTuple_GetItem(address, 0));
            var port = Marshalling.FromPython.TryConvert(Py.PyTuple_GetItem(address, 1), out var p) ? p : null;
            if (hostText is null || port is not long portNumber)
                return null;
            return hostText.Contains(':') ? $"[{hostText}]:{portNumber}" : $"{hostText}:{portNumber}";
        }
        return Text(address);
    }
}

using System.Runtime.InteropServices;

namespace EmbeddedPython.CPython;

/// <summary>
/// Opens libpython with RTLD_GLOBAL and resolves its exports by name. RTLD_GLOBAL is why this is not
/// <see cref="NativeLibrary.Load(string)"/>: C extension modules (math, _ctypes, …) resolve their
/// CPython symbols from the global namespace and fail with "undefined symbol" otherwise.
/// </summary>
internal sealed class LibPython
{
    private const int RtldNow = 0x2;
    private const int RtldGlobal = 0x100;

    private readonly nint _handle;

    private LibPython(string path, nint handle)
    {
        Path = path;
        _handle = handle;
    }

    public string Path { get; }

    public static LibPython Open(string path)
    {
        var handle = Libc.dlopen(path, RtldNow | RtldGlobal);
        if (handle == 0)
            throw new DllNotFoundException($"Could not load libpython '{path}': {Marshal.PtrToStringUTF8(Libc.dlerror()) ?? "unknown error"}");
        return new LibPython(path, handle);
    }

    /// <summary>The address of an exported function or variable; throws when a required name is missing.</summary>
    public nint Export(string name) =>
        NativeLibrary.TryGetExport(_handle, name, out var address)
            ? address
            : throw new EntryPointNotFoundException($"libpython '{Path}' does not export '{name}'; is it CPython 3.9–3.14?");

    /// <summary>The address of an export that only some Python versions have, or 0.</summary>
    public nint OptionalExport(string name) => NativeLibrary.TryGetExport(_handle, name, out var address) ? address : 0;
}

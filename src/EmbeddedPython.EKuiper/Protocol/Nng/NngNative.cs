using System.Runtime.InteropServices;

namespace EmbeddedPython.EKuiper.Protocol.Nng;

/// <summary>
/// The raw entry points of libnng (Debian's libnng1, 1.5.x). eKuiper's wire is nng's SP-over-IPC, so the
/// real library speaks it rather than a hand-written copy. Handles (<c>nng_socket</c>, <c>nng_dialer</c>,
/// <c>nng_listener</c>) are one-<c>uint32_t</c> structs passed by value; every call returns 0 or an nng error.
/// Only <see cref="NngSocket"/> calls these.
/// </summary>
internal static partial class NngNative
{
    // Only the runtime package is installed in production (no unversioned libnng.so), so bind the soname.
    private const string Library = "libnng.so.1";

    public const int FlagAlloc = 1;
    public const int FlagNonBlock = 2;

    [LibraryImport(Library)] public static partial int nng_req0_open(out uint socket);
    [LibraryImport(Library)] public static partial int nng_rep0_open(out uint socket);
    [LibraryImport(Library)] public static partial int nng_push0_open(out uint socket);
    [LibraryImport(Library)] public static partial int nng_pull0_open(out uint socket);
    [LibraryImport(Library)] public static partial int nng_close(uint socket);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int nng_dial(uint socket, string url, nint dialer, int flags);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int nng_listen(uint socket, string url, nint listener, int flags);

    [LibraryImport(Library)] public static unsafe partial int nng_send(uint socket, byte* data, nuint length, int flags);
    [LibraryImport(Library)] public static partial int nng_recv(uint socket, out nint buffer, ref nuint length, int flags);
    [LibraryImport(Library)] public static partial void nng_free(nint buffer, nuint length);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int nng_socket_set_ms(uint socket, string option, int milliseconds);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int nng_socket_set_size(uint socket, string option, nuint size);

    [LibraryImport(Library)] public static partial nint nng_strerror(int error);
    [LibraryImport(Library)] public static partial nint nng_version();
}

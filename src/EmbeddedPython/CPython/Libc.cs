using System.Runtime.InteropServices;

namespace EmbeddedPython.CPython;

/// <summary>The few libc calls the binding needs: loading with RTLD_GLOBAL, setting environment variables
/// that native <c>getenv</c> sees (.NET's own environment block is not), signalling the interpreter thread, and resolving paths for the policy.</summary>
internal static partial class Libc
{
    private const string Name = "libc";

    [LibraryImport(Name, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial nint dlopen(string path, int flags);

    [LibraryImport(Name)]
    internal static partial nint dlerror();

    [LibraryImport(Name, StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    internal static partial int setenv(string name, string value, int overwrite);

    [LibraryImport(Name)]
    internal static partial nuint pthread_self();

    [LibraryImport(Name)]
    internal static partial int pthread_kill(nuint thread, int signal);

    [LibraryImport(Name, SetLastError = true)]
    internal static unsafe partial nint write(int fd, byte* buffer, nint count);

    /// <summary>The canonical path (symbolic links resolved) in memory to release with <see cref="free"/>, or 0.</summary>
    [LibraryImport(Name, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial nint realpath(string path, nint resolved);

    [LibraryImport(Name)]
    internal static partial void free(nint memory);
}

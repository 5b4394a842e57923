using System.Runtime.InteropServices;

namespace EmbeddedPython.CPython;

/// <summary>The few libc calls the binding needs: loading with RTLD_GLOBAL, setting environment variables
/// that native <c>getenv</c> sees (.NET's own environment block is not), and signalling the interpreter thread.</summary>
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
}

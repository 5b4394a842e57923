using System.Runtime.InteropServices;

namespace EmbeddedPython.EKuiper.Protocol.Nng;

/// <summary>An nng call failed; <see cref="Error"/> is nng's code, the message nng's text plus what was attempted.</summary>
public sealed class NngException : IOException
{
    internal NngException(int error, string operation)
        : base($"{operation}: {Describe(error)} (nng error {error})")
    {
        Error = error;
    }

    /// <summary>nng's error number (5 timed out, 6 connection refused, 7 closed, 11 protocol state, 19 connection reset, ...).</summary>
    public int Error { get; }

    internal bool Is(NngError error) => Error == (int)error;

    private static string Describe(int error) => Marshal.PtrToStringUTF8(NngNative.nng_strerror(error)) ?? "unknown error";
}

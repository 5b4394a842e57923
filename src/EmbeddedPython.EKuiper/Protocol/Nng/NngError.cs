namespace EmbeddedPython.EKuiper.Protocol.Nng;

/// <summary>The nng error codes this package reacts to (nng.h, stable across 1.x).</summary>
internal enum NngError
{
    TimedOut = 5,
    ConnectionRefused = 6,
    Closed = 7,
    TryAgain = 8,
    State = 11,
    ConnectionReset = 19,
    ConnectionShutdown = 31,
}

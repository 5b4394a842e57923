namespace EmbeddedPython.WasmCloud.Wire;

/// <summary>What an invocation's argument bytes hold, by their first byte (wasmbus-rpc's format prefix, spec §6).</summary>
internal enum PayloadKind
{
    Empty,
    Cbor,
    Msgpack,
    Reserved,
}

internal static class MessageFormat
{
    public const byte CborPrefix = 0x7f;
    public const byte MsgpackPrefix = 0xc1;

    public static PayloadKind Classify(ReadOnlySpan<byte> message) => message switch
    {
        [] => PayloadKind.Empty,
        [_] => PayloadKind.Msgpack,
        [CborPrefix, ..] => PayloadKind.Cbor,
        [MsgpackPrefix, ..] => PayloadKind.Msgpack,
        [<= 0x7e or 0xc0, ..] => PayloadKind.Reserved,
        _ => PayloadKind.Msgpack,
    };
}

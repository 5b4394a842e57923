using System.Text;

namespace EmbeddedPython.WasmCloud.Wire;

/// <summary>
/// The one function this provider offers to wasmCloud 1.x components over wRPC:
/// <c>wasmcloud:python/dispatch@0.1.0</c> <c>call(operation: string, payload: list&lt;u8&gt;) -&gt; result&lt;list&lt;u8&gt;, string&gt;</c>,
/// with CBOR inside <c>payload</c> so that <c>handle(operation, arg)</c> means the same as under 0.x (spec §12).
/// Values use the component model's encoding: strings and lists as a LEB128 length and the bytes, a result
/// as a discriminant byte (0 ok, 1 error) and its payload. .NET's 7-bit encoded integers are unsigned LEB128.
/// </summary>
internal static class DispatchCall
{
    public const string Instance = "wasmcloud:python/dispatch@0.1.0";
    public const string Function = "call";

    /// <summary>Decodes the parameters once all their bytes have arrived; false while more are needed.</summary>
    /// <exception cref="FormatException">The bytes can never be these parameters (bad length or text).</exception>
    public static bool TryReadParameters(ReadOnlySpan<byte> bytes, out string operation, out byte[] payload)
    {
        operation = "";
        payload = [];
        if (!TryReadLength(ref bytes, out var nameLength) || bytes.Length < nameLength)
            return false;
        try
        {
            operation = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes[..nameLength]);
        }
        catch (DecoderFallbackException e)
        {
            throw new FormatException("the operation name is not UTF-8: " + e.Message, e);
        }
        bytes = bytes[nameLength..];
        if (!TryReadLength(ref bytes, out var payloadLength) || bytes.Length < payloadLength)
            return false;
        if (bytes.Length > payloadLength)
            throw new FormatException($"{bytes.Length - payloadLength} bytes follow the parameters");
        payload = bytes.ToArray();
        return true;
    }

    public static byte[] WriteParameters(string operation, ReadOnlySpan<byte> payload)
    {
        using var stream = new MemoryStream();
        using var writer = new BinaryWriter(stream);
        var name = Encoding.UTF8.GetBytes(operation);
        writer.Write7BitEncodedInt(name.Length);
        writer.Write(name);
        writer.Write7BitEncodedInt(payload.Length);
        writer.Write(payload);
        writer.Flush();
        return stream.ToArray();
    }

    public static byte[] WriteResult(byte[] ok, string? error)
    {
        using var stream = new MemoryStream();
        using var writer = new BinaryWriter(stream);
        var body = error is null ? ok : Encoding.UTF8.GetBytes(error);
        writer.Write((byte)(error is null ? 0 : 1));
        writer.Write7BitEncodedInt(body.Length);
        writer.Write(body);
        writer.Flush();
        return stream.ToArray();
    }

    /// <summary>Decodes a result; false while more bytes are needed.</summary>
    public static bool TryReadResult(ReadOnlySpan<byte> bytes, out byte[] ok, out string? error)
    {
        ok = [];
        error = null;
        if (bytes.IsEmpty)
            return false;
        var isError = bytes[0] switch
        {
            0 => false,
            1 => true,
            var other => throw new FormatException($"result discriminant {other} is neither 0 nor 1"),
        };
        bytes = bytes[1..];
        if (!TryReadLength(ref bytes, out var length) || bytes.Length < length)
            return false;
        if (isError)
            error = Encoding.UTF8.GetString(bytes[..length]);
        else
            ok = bytes[..length].ToArray();
        return true;
    }

    private static bool TryReadLength(ref ReadOnlySpan<byte> bytes, out int length)
    {
        // A u32 in LEB128 takes at most 5 bytes.
        length = 0;
        for (var i = 0; i < 5; i++)
        {
            if (i >= bytes.Length)
                return false;
            var b = bytes[i];
            length |= (b & 0x7f) << (7 * i);
            if ((b & 0x80) == 0)
            {
                if (length < 0)
                    throw new FormatException("a length does not fit in 31 bits");
                bytes = bytes[(i + 1)..];
                return true;
            }
        }
        throw new FormatException("a LEB128 length runs over 5 bytes");
    }
}

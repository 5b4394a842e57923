using System.Buffers.Text;
using System.Text;
using System.Text.Json;
using EmbeddedPython.WasmCloud.Claims;
using EmbeddedPython.WasmCloud.Wire;
using NATS.NKeys;

namespace EmbeddedPython.WasmCloud.Tests.Infrastructure;

/// <summary>Signs invocations the way a wasmCloud 0.x host does (spec §9), with a cluster key of its own.</summary>
internal sealed class InvocationSigner : IDisposable
{
    // Prefixes of wasmCloud's own key kinds (spec §9), which NATS.NKeys does not create.
    public const byte Module = 12 << 3;
    public const byte Service = 21 << 3;

    public KeyPair Cluster { get; } = KeyPair.CreatePair(PrefixByte.Cluster);

    public string ClusterKey => Cluster.GetPublicKey();

    /// <summary>A public nkey: base32 of prefix byte, 32 key bytes and the CRC-16/XMODEM little-endian (spec §9).
    /// Only the text matters here (these keys never sign), so the key bytes are random.</summary>
    public static string NewKey(byte prefix)
    {
        var raw = new byte[35];
        raw[0] = prefix;
        Random.Shared.NextBytes(raw.AsSpan(1, 32));
        ushort crc = 0;
        foreach (var b in raw.AsSpan(0, 33))
        {
            crc ^= (ushort)(b << 8);
            for (var bit = 0; bit < 8; bit++)
                crc = (crc & 0x8000) != 0 ? (ushort)((crc << 1) ^ 0x1021) : (ushort)(crc << 1);
        }
        raw[33] = (byte)crc;
        raw[34] = (byte)(crc >> 8);
        var text = new char[Base32.GetEncodedLength(raw)];
        Base32.ToBase32(raw, text);
        return new string(text).TrimEnd('=');
    }

    public string Sign(Invocation invocation, byte[] argument, KeyPair? signer = null, long? expiresAt = null)
    {
        signer ??= Cluster;
        var header = Base64Url.EncodeToString(JsonSerializer.SerializeToUtf8Bytes(new { typ = "jwt", alg = "Ed25519" }));
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var claims = Base64Url.EncodeToString(JsonSerializer.SerializeToUtf8Bytes(new
        {
            jti = Guid.NewGuid().ToString("N"),
            iat = now,
            iss = signer.GetPublicKey(),
            sub = invocation.Id,
            exp = expiresAt ?? now + 60,
            wascap_revision = 3,
            wascap = new
            {
                target_url = InvocationClaims.TargetUrl(invocation),
                origin_url = InvocationClaims.EntityUrl(invocation.Origin),
                hash = InvocationClaims.Hash(invocation, argument),
            },
        }));
        var signature = new byte[64];
        signer.Sign(Encoding.ASCII.GetBytes(header + "." + claims), signature);
        return header + "." + claims + "." + Base64Url.EncodeToString(signature);
    }

    public void Dispose() => Cluster.Dispose();
}

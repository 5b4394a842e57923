using System.Buffers;
using System.Buffers.Text;
using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using EmbeddedPython.WasmCloud.Wire;
using NATS.NKeys;
using NSec.Cryptography;

namespace EmbeddedPython.WasmCloud.Claims;

/// <summary>
/// The anti-forgery claims every 0.x invocation carries (spec §9): a JWT signed with Ed25519 by a cluster
/// key, binding the invocation id, the origin and target URLs and a hash of the argument bytes. The
/// signature is checked with libsodium (NSec), against the issuer's key decoded once per cluster issuer.
/// </summary>
internal static class InvocationClaims
{
    // Only keys of configured cluster issuers are kept, so the cache stays as small as that list.
    private static readonly ConcurrentDictionary<string, PublicKey?> IssuerKeys = new(StringComparer.Ordinal);

    /// <summary>wasmbus URL of an entity: actors by key, providers by contract, link name and key.</summary>
    public static string EntityUrl(WasmCloudEntity entity) => entity.IsActor
        ? "wasmbus://" + entity.PublicKey
        : $"wasmbus://{entity.ContractId.Replace(':', '/').Replace(' ', '_').ToLowerInvariant()}/{entity.LinkName.Replace(' ', '_').ToLowerInvariant()}/{entity.PublicKey}";

    public static string TargetUrl(Invocation invocation) => EntityUrl(invocation.Target) + "/" + invocation.Operation;

    /// <summary>SHA-256 of origin URL, target URL, operation and argument bytes, as uppercase hex.</summary>
    public static string Hash(Invocation invocation, ReadOnlySpan<byte> argument)
    {
        using var sha = System.Security.Cryptography.IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        sha.AppendData(Encoding.UTF8.GetBytes(EntityUrl(invocation.Origin)));
        sha.AppendData(Encoding.UTF8.GetBytes(TargetUrl(invocation)));
        sha.AppendData(Encoding.UTF8.GetBytes(invocation.Operation));
        sha.AppendData(argument);
        return Convert.ToHexString(sha.GetHashAndReset());
    }

    /// <summary>Checks the claims of <paramref name="invocation"/>, whose full argument is <paramref name="argument"/>.</summary>
    /// <returns>Null when valid, else the reason, which is sent back as the invocation's error.</returns>
    public static string? Verify(Invocation invocation, ReadOnlySpan<byte> argument, IReadOnlyCollection<string> clusterIssuers, DateTimeOffset now)
    {
        var token = invocation.EncodedClaims;
        var parts = token.Split('.');
        if (parts.Length != 3)
            return "invalid claims: the token is not a JWT (expected three dot-separated parts)";
        JsonElement header, claims;
        byte[] signature;
        try
        {
            header = JsonDocument.Parse(Base64Url.DecodeFromChars(parts[0])).RootElement;
            claims = JsonDocument.Parse(Base64Url.DecodeFromChars(parts[1])).RootElement;
            signature = Base64Url.DecodeFromChars(parts[2]);
        }
        catch (Exception e) when (e is FormatException or JsonException)
        {
            return "invalid claims: " + e.Message;
        }
        if (header.ValueKind != JsonValueKind.Object || claims.ValueKind != JsonValueKind.Object)
            return "invalid claims: header and claims must be JSON objects";
        if (!string.Equals(JsonEnvelopes.Text(header, "alg"), "Ed25519", StringComparison.Ordinal)
            || !string.Equals(JsonEnvelopes.Text(header, "typ"), "jwt", StringComparison.OrdinalIgnoreCase))
            return "invalid claims: the token header must say typ jwt, alg Ed25519";
        var issuer = JsonEnvelopes.Text(claims, "iss");
        if (issuer.Length == 0 || JsonEnvelopes.Text(claims, "sub").Length == 0)
            return "invalid claims: issuer and subject must not be empty";
        // Checked before the signature so that only keys of known issuers are ever decoded and kept.
        if (!clusterIssuers.Contains(issuer))
            return $"invalid claims: issuer '{issuer}' is not among the cluster issuers";
        if (!SignatureIsValid(issuer, token.AsSpan(0, parts[0].Length + 1 + parts[1].Length), signature))
            return "invalid claims: the signature does not verify with the issuer's key";
        var seconds = now.ToUnixTimeSeconds();
        if (claims.TryGetProperty("exp", out var exp) && exp.TryGetInt64(out var expires) && expires < seconds)
            return "invalid claims: the token has expired";
        if (claims.TryGetProperty("nbf", out var nbf) && nbf.TryGetInt64(out var notBefore) && notBefore > seconds)
            return "invalid claims: the token is not valid yet";
        if (!claims.TryGetProperty("wascap", out var wascap) || wascap.ValueKind != JsonValueKind.Object)
            return "invalid claims: no wascap section";
        if (JsonEnvelopes.Text(wascap, "hash") != Hash(invocation, argument))
            return "invalid claims: the invocation hash does not match (message tampered with)";
        if (!(invocation.HostId.StartsWith('N') || invocation.HostId.Length == 56))
            return $"invalid claims: host id '{invocation.HostId}' is not a host key";
        if (JsonEnvelopes.Text(wascap, "target_url") != TargetUrl(invocation))
            return "invalid claims: the target URL does not match the invocation";
        if (JsonEnvelopes.Text(wascap, "origin_url") != EntityUrl(invocation.Origin))
            return "invalid claims: the origin URL does not match the invocation";
        return null;
    }

    private static bool SignatureIsValid(string issuer, ReadOnlySpan<char> signed, byte[] signature)
    {
        if (IssuerKeys.GetOrAdd(issuer, ImportKey) is not { } key)
            return false;
        var buffer = ArrayPool<byte>.Shared.Rent(signed.Length);
        try
        {
            var length = Encoding.ASCII.GetBytes(signed, buffer);
            return SignatureAlgorithm.Ed25519.Verify(key, buffer.AsSpan(0, length), signature);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>The Ed25519 key inside a public nkey (prefix byte, 32 key bytes, CRC-16: spec §9), or null.</summary>
    private static PublicKey? ImportKey(string nkey)
    {
        try
        {
            // FromPublicKey checks the prefix and the checksum; the raw key is the 32 bytes after the prefix.
            using (KeyPair.FromPublicKey(nkey))
            {
            }
            var raw = new byte[Base32.GetDataLength(nkey)];
            Base32.FromBase32(nkey, raw);
            return PublicKey.TryImport(SignatureAlgorithm.Ed25519, raw.AsSpan(1, 32), KeyBlobFormat.RawPublicKey, out var key) ? key : null;
        }
        catch (Exception e) when (e is ArgumentException or FormatException or NKeysException)
        {
            return null;
        }
    }
}

using EmbeddedPython.WasmCloud.Claims;
using EmbeddedPython.WasmCloud.Tests.Infrastructure;
using EmbeddedPython.WasmCloud.Wire;
using NATS.NKeys;

namespace EmbeddedPython.WasmCloud.Tests.Claims;

public sealed class InvocationClaimsTests : IDisposable
{
    private readonly InvocationSigner _signer = new();
    private readonly Invocation _invocation = new(
        new WasmCloudEntity(InvocationSigner.NewKey(InvocationSigner.Module), "", ""),
        new WasmCloudEntity(InvocationSigner.NewKey(InvocationSigner.Service), "Default Link", "wasmcloud:Example python"),
        "Python.factorial", [0x7f, 0x0a], "id-1", "", InvocationSigner.NewKey((byte)PrefixByte.Server));

    private string? Verify(Invocation invocation, string[]? issuers = null) =>
        InvocationClaims.Verify(invocation, invocation.Message, issuers ?? [_signer.ClusterKey], DateTimeOffset.UtcNow);

    private Invocation Signed(Invocation invocation, KeyPair? signer = null, long? expiresAt = null) =>
        invocation with { EncodedClaims = _signer.Sign(invocation, invocation.Message, signer, expiresAt) };

    [Fact]
    public void Provider_URLs_lowercase_the_contract_and_link_and_replace_spaces() =>
        Assert.Equal($"wasmbus://wasmcloud/example_python/default_link/{_invocation.Target.PublicKey}/Python.factorial", InvocationClaims.TargetUrl(_invocation));

    [Fact]
    public void A_correctly_signed_invocation_is_valid() => Assert.Null(Verify(Signed(_invocation)));

    [Fact]
    public void A_tampered_argument_breaks_the_hash()
    {
        var tampered = Signed(_invocation) with { Message = [0x7f, 0x0b] };
        Assert.Contains("hash does not match", Verify(tampered));
    }

    [Fact]
    public void A_signature_by_another_key_does_not_verify()
    {
        var signed = Signed(_invocation);
        var parts = signed.EncodedClaims.Split('.');
        using var other = KeyPair.CreatePair(PrefixByte.Cluster);
        var forged = Signed(_invocation, other).EncodedClaims.Split('.')[2];
        Assert.Contains("signature does not verify", Verify(signed with { EncodedClaims = $"{parts[0]}.{parts[1]}.{forged}" }));
    }

    [Fact]
    public void An_issuer_outside_the_cluster_issuers_is_refused()
    {
        using var other = KeyPair.CreatePair(PrefixByte.Cluster);
        Assert.Contains("not among the cluster issuers", Verify(Signed(_invocation, other)));
    }

    [Fact]
    public void An_expired_token_is_refused() =>
        Assert.Contains("expired", Verify(Signed(_invocation, expiresAt: DateTimeOffset.UtcNow.AddMinutes(-1).ToUnixTimeSeconds())));

    [Fact]
    public void Claims_made_for_another_operation_are_refused()
    {
        var signed = Signed(_invocation);
        Assert.NotNull(Verify(signed with { Operation = "Python.hello" }));
    }

    [Theory]
    [InlineData("")]
    [InlineData("only.two")]
    [InlineData("a.b.c")]
    public void A_token_that_is_not_a_JWT_is_refused(string token) =>
        Assert.StartsWith("invalid claims", Verify(_invocation with { EncodedClaims = token }));

    public void Dispose() => _signer.Dispose();
}

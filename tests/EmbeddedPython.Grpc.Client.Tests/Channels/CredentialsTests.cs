using System.Net;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using EmbeddedPython.Grpc.Client.Tests.Infrastructure;
using Grpc.Core;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace EmbeddedPython.Grpc.Client.Tests.Channels;

/// <summary>TLS and a bearer token against a server that requires a token (the set-up of the server's own
/// authorization tests, <c>tests/EmbeddedPython.Grpc.Tests/Security/</c>), over TLS with a certificate made here.</summary>
[Collection(PythonCollection.Name)]
public sealed class CredentialsTests(SharedPython python)
{
    [Fact]
    public async Task Over_tls_no_token_is_unauthenticated_a_wrong_role_is_denied_and_a_runner_token_runs()
    {
        var key = new SymmetricSecurityKey(RandomNumberGenerator.GetBytes(32));
        using var certificate = ServerCertificate();
        await using var server = await LoopbackServer.StartAsync(python,
            services =>
            {
                services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer(o => o.TokenValidationParameters = new TokenValidationParameters
                {
                    ValidIssuer = "tests", ValidAudience = "python", IssuerSigningKey = key,
                });
                services.AddAuthorizationBuilder().AddPolicy("runners", p => p.RequireRole("runner"));
            },
            endpoints => endpoints.MapPythonExecutor().RequireAuthorization("runners"),
            listen => listen.UseHttps(certificate));

        string? token = null;
        await using var remote = new RemotePythonExecutor(new RemotePythonExecutorOptions
        {
            Address = $"dns:///localhost:{server.Port}",
            UseTls = true,
            BearerTokenProvider = _ => ValueTask.FromResult(token),
            // Trust exactly the test's certificate.
            ConfigureHttpHandler = handler => handler.SslOptions.RemoteCertificateValidationCallback =
                (_, presented, _, _) => presented?.GetCertHashString() == certificate.GetCertHashString(),
        });
        var request = new PythonRequest { Code = "y = 6 * 7" };

        var anonymous = await Assert.ThrowsAsync<RemoteExecutorException>(() => remote.ExecuteAsync(request));
        Assert.Equal(StatusCode.Unauthenticated, anonymous.StatusCode);
        Assert.Contains("BearerTokenProvider", anonymous.Message);
        Assert.False(anonymous.MayHaveRun);

        token = Token(key, "reader");
        var reader = await Assert.ThrowsAsync<RemoteExecutorException>(() => remote.CallAsync<long>("remote_sample", "add", 1, 2));
        Assert.Equal(StatusCode.PermissionDenied, reader.StatusCode);

        token = Token(key, "runner");
        Assert.Equal(42L, (await remote.ExecuteAsync(request)).Values["y"]);
        Assert.Equal(3L, await remote.CallAsync<long>("remote_sample", "add", 1, 2));
    }

    private static string Token(SymmetricSecurityKey key, string role) => new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
    {
        Issuer = "tests",
        Audience = "python",
        Subject = new ClaimsIdentity([new Claim("sub", "test-user"), new Claim(ClaimTypes.Role, role)]),
        Expires = DateTime.UtcNow.AddMinutes(5),
        SigningCredentials = new SigningCredentials(key, SecurityAlgorithms.HmacSha256),
    });

    private static X509Certificate2 ServerCertificate()
    {
        using var rsa = RSA.Create(2048);
        var request = new CertificateRequest("CN=localhost", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        using var created = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        // TLS wants a certificate whose key came from a PKCS#12 blob, not an ephemeral one.
        return X509CertificateLoader.LoadPkcs12(created.Export(X509ContentType.Pkcs12), null);
    }
}

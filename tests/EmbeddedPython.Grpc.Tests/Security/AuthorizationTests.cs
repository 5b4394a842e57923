using System.Net;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using EmbeddedPython.Grpc.Tests.Infrastructure;
using EmbeddedPython.Grpc.V1;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Authentication.Certificate;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using ExecutorClient = EmbeddedPython.Grpc.V1.PythonExecutor.PythonExecutorClient;

namespace EmbeddedPython.Grpc.Tests.Security;

/// <summary>The README's two ways to say who may run code — JWT bearer tokens and client certificates (mTLS) —
/// chained to <c>MapPythonExecutor()</c>, and the refusal to serve beyond loopback without either.</summary>
[Collection(PythonCollection.Name)]
public sealed class AuthorizationTests(SharedPython python)
{
    private static readonly ExecuteRequest Answer = new() { Code = "y = 6 * 7" };

    [Fact]
    public async Task Jwt_bearer_no_token_is_unauthenticated_a_wrong_role_is_denied_and_a_runner_token_runs()
    {
        var key = new SymmetricSecurityKey(RandomNumberGenerator.GetBytes(32));
        var (app, address) = await LoopbackHost.StartAsync(
            services =>
            {
                Register(services);
                services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer(o => o.TokenValidationParameters = new TokenValidationParameters
                {
                    ValidIssuer = "tests", ValidAudience = "python", IssuerSigningKey = key,
                });
                services.AddAuthorizationBuilder().AddPolicy("runners", p => p.RequireRole("runner"));
            },
            app => app.MapPythonExecutor().RequireAuthorization("runners"));
        await using var _ = app;
        using var channel = GrpcChannel.ForAddress(address);
        var client = new ExecutorClient(channel);

        var anonymous = await Assert.ThrowsAsync<RpcException>(async () => await client.ExecuteAsync(Answer));
        Assert.Equal(StatusCode.Unauthenticated, anonymous.StatusCode);
        var reader = await Assert.ThrowsAsync<RpcException>(async () => await client.ExecuteAsync(Answer, Bearer(key, "reader")));
        Assert.Equal(StatusCode.PermissionDenied, reader.StatusCode);
        var response = await client.ExecuteAsync(Answer, Bearer(key, "runner"));
        Assert.Contains("42", response.ResultsJson);
    }

    [Fact]
    public async Task Mutual_tls_no_certificate_is_unauthenticated_another_client_is_denied_and_the_runner_certificate_runs()
    {
        using var authority = Certificates.Authority("EmbeddedPython test CA");
        using var server = Certificates.Server();
        using var runner = Certificates.Client(authority, "runner-client");
        using var other = Certificates.Client(authority, "other-client");
        using var stranger = Certificates.Client(Certificates.Authority("someone else's CA"), "runner-client");

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen =>
        {
            listen.Protocols = HttpProtocols.Http2;
            listen.UseHttps(server, https =>
            {
                https.ClientCertificateMode = ClientCertificateMode.AllowCertificate;
                https.ClientCertificateValidation = (_, _, _) => true; // the certificate handler below decides
            });
        }));
        Register(builder.Services);
        builder.Services.AddAuthentication(CertificateAuthenticationDefaults.AuthenticationScheme).AddCertificate(o =>
        {
            o.AllowedCertificateTypes = CertificateTypes.Chained;
            o.ChainTrustValidationMode = X509ChainTrustMode.CustomRootTrust;
            o.CustomTrustStore.Add(authority);
            o.RevocationMode = X509RevocationMode.NoCheck;
            // The handler answers a missing or untrusted certificate with 403 unless told otherwise; 401 is
            // what gRPC maps to UNAUTHENTICATED.
            o.Events = new CertificateAuthenticationEvents
            {
                OnChallenge = context =>
                {
                    context.HandleResponse();
                    context.Response.StatusCode = StatusCodes.Status401Unauthorized;
                    return Task.CompletedTask;
                },
            };
        });
        builder.Services.AddAuthorizationBuilder().AddPolicy("runners", p => p.RequireClaim(ClaimTypes.Name, "runner-client"));
        var app = builder.Build();
        app.MapPythonExecutor().RequireAuthorization("runners");
        await app.StartAsync();
        await using var _ = app;
        var address = app.Services.GetRequiredService<Microsoft.AspNetCore.Hosting.Server.IServer>().Features.Get<Microsoft.AspNetCore.Hosting.Server.Features.IServerAddressesFeature>()!.Addresses.Single().Replace("127.0.0.1", "localhost");

        Assert.Equal(StatusCode.Unauthenticated, (await CallWith(null))!.StatusCode);
        Assert.Equal(StatusCode.Unauthenticated, (await CallWith(stranger))!.StatusCode);
        Assert.Equal(StatusCode.PermissionDenied, (await CallWith(other))!.StatusCode);
        Assert.Null(await CallWith(runner));

        async Task<RpcException?> CallWith(X509Certificate2? certificate)
        {
            var handler = new SocketsHttpHandler();
            handler.SslOptions.RemoteCertificateValidationCallback = (_, presented, _, _) => presented?.GetCertHashString() == server.GetCertHashString();
            if (certificate is not null)
                handler.SslOptions.ClientCertificates = [certificate];
            using var channel = GrpcChannel.ForAddress(address, new GrpcChannelOptions { HttpHandler = handler });
            try
            {
                var response = await new ExecutorClient(channel).ExecuteAsync(Answer);
                Assert.Contains("42", response.ResultsJson);
                return null;
            }
            catch (RpcException e)
            {
                return e;
            }
        }
    }

    [Fact]
    public async Task A_host_listening_beyond_loopback_without_authorization_refuses_to_start_unless_anonymous_is_allowed()
    {
        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => StartOnAnyAddressAsync(allowAnonymous: false, authorize: false));
        Assert.Contains("beyond loopback", refused.Message);
        Assert.Contains("RequireAuthorization", refused.Message);
        Assert.Contains("AllowAnonymous", refused.Message);

        await StartOnAnyAddressAsync(allowAnonymous: true, authorize: false);
        await StartOnAnyAddressAsync(allowAnonymous: false, authorize: true);
    }

    /// <summary>Starts (and stops again) a host bound to every address; no request is sent to it.</summary>
    private async Task StartOnAnyAddressAsync(bool allowAnonymous, bool authorize)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Any, 0, listen => listen.Protocols = HttpProtocols.Http2));
        Register(builder.Services, o => o.AllowAnonymous = allowAnonymous);
        if (authorize)
        {
            builder.Services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer();
            builder.Services.AddAuthorization();
        }
        var app = builder.Build();
        var mapped = app.MapPythonExecutor();
        if (authorize)
            mapped.RequireAuthorization();
        try
        {
            await app.StartAsync();
            await app.StopAsync();
        }
        finally
        {
            await app.DisposeAsync();
        }
    }

    private void Register(IServiceCollection services, Action<PythonGrpcOptions>? configure = null)
    {
        services.AddSingleton(python.Executor);
        services.AddSingleton<IPythonExecutor>(python.Executor);
        services.AddPythonGrpcServices(configure);
    }

    private static Metadata Bearer(SymmetricSecurityKey key, string role)
    {
        var token = new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = "tests",
            Audience = "python",
            Subject = new ClaimsIdentity([new Claim("sub", "test-user"), new Claim(ClaimTypes.Role, role)]),
            Expires = DateTime.UtcNow.AddMinutes(5),
            SigningCredentials = new SigningCredentials(key, SecurityAlgorithms.HmacSha256),
        });
        return new Metadata { { "Authorization", "Bearer " + token } };
    }

    /// <summary>Certificates made for the test: a CA, a server certificate for localhost, client certificates.</summary>
    private static class Certificates
    {
        public static X509Certificate2 Authority(string name)
        {
            using var key = RSA.Create(2048);
            var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
            request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
            request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
            return Loadable(request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1)));
        }

        public static X509Certificate2 Server()
        {
            using var key = RSA.Create(2048);
            var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
            request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
            var names = new SubjectAlternativeNameBuilder();
            names.AddDnsName("localhost");
            names.AddIpAddress(IPAddress.Loopback);
            request.CertificateExtensions.Add(names.Build());
            return Loadable(request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1)));
        }

        public static X509Certificate2 Client(X509Certificate2 authority, string name)
        {
            using var key = RSA.Create(2048);
            var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
            request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.2")], false));
            request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
            using var signed = request.Create(authority, DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddHours(12), RandomNumberGenerator.GetBytes(8));
            using var withKey = signed.CopyWithPrivateKey(key);
            return Loadable(withKey);
        }

        // TLS wants a certificate whose key came from a PKCS#12 blob, not an ephemeral one.
        private static X509Certificate2 Loadable(X509Certificate2 certificate)
        {
            using (certificate)
                return X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pkcs12), null);
        }
    }
}

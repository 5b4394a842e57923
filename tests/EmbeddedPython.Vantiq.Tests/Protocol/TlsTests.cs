using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using EmbeddedPython.Vantiq.Tests.FakeVantiq;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace EmbeddedPython.Vantiq.Tests.Protocol;

/// <summary>wss and https with a certificate the machine does not trust: refused unless verification is disabled
/// (connectKWArgs={"disableSslVerification": true}).</summary>
[Collection(PythonCollection.Name)]
public sealed class TlsTests(PythonFixture python)
{
    private static X509Certificate2 SelfSigned()
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(System.Net.IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddHours(1));
        return X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pfx), null);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task An_untrusted_certificate_is_accepted_only_with_disableSslVerification(bool disable)
    {
        using var certificate = SelfSigned();
        await using var server = await FakeVantiqServer.StartAsync(certificate);
        Assert.Equal("https", server.BaseUri.Scheme);
        server.Documents["doc.py"] = new FakeDocument("over_tls = True\n", "t1");
        var options = new VantiqConnectorOptions
        {
            TargetServer = server.BaseUri.ToString(),
            AuthToken = server.Token,
            Sources = ["pySrc"],
            TcpProbeAddress = "127.0.0.1",
            DeclareHealthyAtStart = false,
            DisableSslVerification = disable,
            ReconnectDelay = TimeSpan.FromMilliseconds(100),
        };
        using var service = new VantiqConnectorService(python.Executor, Options.Create(options), NullLoggerFactory.Instance);
        await service.StartAsync(CancellationToken.None);
        try
        {
            if (disable)
            {
                var session = await server.NextSessionAsync();
                var reply = await session.QueryOneAsync("""{"script": "doc.py"}""");
                Assert.True((bool)reply["body"]!["pythonCallResults"]!["over_tls"]!);
            }
            else
            {
                await Assert.ThrowsAnyAsync<OperationCanceledException>(() => server.NextSessionAsync(TimeSpan.FromSeconds(1.5)));
                Assert.Empty(server.Handshakes);
            }
        }
        finally
        {
            await service.StopAsync(CancellationToken.None);
        }
    }
}

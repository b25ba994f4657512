using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace TcpChat.Tests.Infrastructure;

/// <summary>A self-signed server certificate made at test time and written as PEM files, as an operator would supply them.</summary>
public sealed class TestCertificate : IDisposable
{
    private readonly string _dir;

    public TestCertificate()
    {
        _dir = Directory.CreateTempSubdirectory("tcpchat-tls").FullName;
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=tcpchat-test", key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName("localhost");
        san.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], critical: false));
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        CertificatePath = Path.Combine(_dir, "cert.pem");
        KeyPath = Path.Combine(_dir, "key.pem");
        File.WriteAllText(CertificatePath, certificate.ExportCertificatePem());
        File.WriteAllText(KeyPath, key.ExportPkcs8PrivateKeyPem());
        Thumbprint = certificate.GetCertHashString(HashAlgorithmName.SHA256);
    }

    public string CertificatePath { get; }

    public string KeyPath { get; }

    /// <summary>SHA-256 thumbprint: the client pins it instead of trusting any certificate.</summary>
    public string Thumbprint { get; }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}

import Crypto
import DevCertificates
import Foundation
import SwiftASN1
import X509

/// A throwaway CA, a server certificate for `localhost`/127.0.0.1 and a client certificate (CN `ci-bot`),
/// made in-process with ``DevCertificates`` into a temporary directory removed at exit (``ScratchDirectories``), once
/// per test process; plus a server certificate naming only `localhost` and a second CA, made with swift-certificates.
public struct TestCertificates: Sendable {
    /// The directory holding every file below.
    public var directory: URL
    /// The CA that signed the server, `localhost`-only server and client certificates.
    public var caCertificate: String { path(DevCertificates.FileName.caCertificate) }
    /// A server certificate naming `DNS:localhost` and `IP:127.0.0.1`.
    public var serverCertificate: String { path(DevCertificates.FileName.serverCertificate) }
    /// The key of ``serverCertificate``.
    public var serverKey: String { path(DevCertificates.FileName.serverKey) }
    /// A server certificate naming only `DNS:localhost`, no IP address. (swift-nio-ssl accepts a
    /// certificate that lists the connected IP whatever the expected name, so checking
    /// `--server-name` needs a certificate without one.)
    public var dnsOnlyServerCertificate: String { path("server-dns.pem") }
    /// The key of ``dnsOnlyServerCertificate``.
    public var dnsOnlyServerKey: String { path("server-dns-key.pem") }
    /// A client certificate with CN `ci-bot`.
    public var clientCertificate: String { path(DevCertificates.FileName.clientCertificate) }
    /// The key of ``clientCertificate``.
    public var clientKey: String { path(DevCertificates.FileName.clientKey) }
    /// A second CA that signed nothing here: trusting it must fail the handshake.
    public var otherCACertificate: String { path("other-ca/" + DevCertificates.FileName.caCertificate) }

    private func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    /// The certificates of this test process (made on first use).
    public static let shared: Result<TestCertificates, CertificateError> = Result { try make() }.mapError { CertificateError(reason: "\($0)") }

    /// Why the certificates could not be made.
    public struct CertificateError: Error, CustomStringConvertible {
        /// The underlying failure.
        public var reason: String
        /// A sentence naming the failure.
        public var description: String { "making test certificates failed: \(reason)" }
    }

    /// Makes a new set in a new temporary directory.
    public static func make() throws -> TestCertificates {
        let directory = URL(fileURLWithPath: try ScratchDirectories.make(prefix: "asana-access-certs"))
        let files = try DevCertificates.make(in: directory.path, serverHosts: ["localhost", "127.0.0.1"], clientName: "ci-bot")
        try DevCertificates.make(in: directory.appendingPathComponent("other-ca").path)
        let certificates = TestCertificates(directory: directory)
        try TestCertificateAuthority(files: files).issue(
            commonNames: ["localhost"], serverNames: ["localhost"],
            certificate: certificates.dnsOnlyServerCertificate, key: certificates.dnsOnlyServerKey)
        return certificates
    }
}

/// A CA read from PEM files (a ``DevCertificates`` set's) that issues more leaf certificates, for shapes
/// ``DevCertificates`` does not make: a server certificate without an IP address, a subject with two common names.
public struct TestCertificateAuthority {
    private let certificate: Certificate
    private let key: Certificate.PrivateKey

    /// The CA of `files` (its `ca.pem` and `ca-key.pem`).
    public init(files: DevCertificates.Files) throws {
        certificate = try Certificate(pemEncoded: String(contentsOfFile: files.caCertificate, encoding: .utf8))
        key = try Certificate.PrivateKey(pemEncoded: String(contentsOfFile: files.caKey, encoding: .utf8))
    }

    /// Issues a P-256 leaf valid for two days (or from `notValidBefore` to `notValidAfter`) and writes it and its key as PEM to `certificate` and `key`.
    /// - Parameters:
    ///   - commonNames: The subject's common names, one relative distinguished name each, in this order.
    ///   - serverNames: DNS names for a server certificate (`serverAuth`); none makes a client certificate (`clientAuth`).
    public func issue(commonNames: [String], serverNames: [String] = [], certificate certificatePath: String, key keyPath: String,
                      notValidBefore: Date? = nil, notValidAfter: Date? = nil) throws {
        let leafKey = P256.Signing.PrivateKey()
        let publicKey = Certificate.PublicKey(leafKey.publicKey)
        let start = Date().addingTimeInterval(-5 * 60)
        let subject = DistinguishedName(commonNames.map { RelativeDistinguishedName(RelativeDistinguishedName.Attribute(type: .RDNAttributeType.commonName, utf8String: $0)) })
        let authorityKeyID = try certificate.extensions.subjectKeyIdentifier?.keyIdentifier
        let leaf = try Certificate(
            version: .v3,
            serialNumber: Certificate.SerialNumber(),
            publicKey: publicKey,
            notValidBefore: notValidBefore ?? start,
            notValidAfter: notValidAfter ?? start.addingTimeInterval(2 * 86_400),
            issuer: certificate.subject,
            subject: subject,
            signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.notCertificateAuthority)
                Critical(KeyUsage(digitalSignature: true))
                try ExtendedKeyUsage([serverNames.isEmpty ? .clientAuth : .serverAuth])
                if !serverNames.isEmpty {
                    SubjectAlternativeNames(serverNames.map { .dnsName($0) })
                }
                SubjectKeyIdentifier(hash: publicKey)
                if let authorityKeyID {
                    AuthorityKeyIdentifier(keyIdentifier: authorityKeyID)
                }
            },
            issuerPrivateKey: key)
        try (leaf.serializeAsPEM().pemString + "\n").write(toFile: certificatePath, atomically: true, encoding: .utf8)
        try (leafKey.pemRepresentation + "\n").write(toFile: keyPath, atomically: true, encoding: .utf8)
    }
}

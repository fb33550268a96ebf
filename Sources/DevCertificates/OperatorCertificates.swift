import Crypto
import Foundation
import SwiftASN1
import X509

/// Certificates for production from the operator's own certificate authority: a CA if the operator has
/// none (`asana-accessd certs ca`), a server certificate (`certs server`) and client certificates (`certs client`).
///
/// | certificate | extensions | default validity |
/// |---|---|---|
/// | CA | `basicConstraints` critical `CA:TRUE, pathlen:0`; `keyUsage` critical `keyCertSign, cRLSign, digitalSignature`; `subjectKeyIdentifier` | 10 years |
/// | server | `CA:FALSE`; `keyUsage` critical `digitalSignature`; `extendedKeyUsage` `serverAuth`; `subjectAltName` one per host (DNS or IP); SKI, AKI | 397 days (the CA/Browser Forum's limit) |
/// | client | `CA:FALSE`; `keyUsage` critical `digitalSignature`; `extendedKeyUsage` `clientAuth`; `CN` = the principal; SKI, AKI | 90 days |
///
/// Keys are new P-256 ECDSA keys (PKCS#8 PEM, mode 0600); certificates are PEM (0644); validity starts
/// five minutes before now (``DevCertificates/backdating``). A leaf never outlives its CA: asking for more is refused.
public enum OperatorCertificates {
    /// How long a CA made by ``makeAuthority(commonName:now:)`` is valid.
    public static let caValidityYears = 10
    /// The default validity of a server certificate, in days (the CA/Browser Forum's maximum since 2020).
    public static let serverValidityDays = 397
    /// The default validity of a client certificate, in days.
    public static let clientValidityDays = 90
    /// The longest validity `--days` accepts for a leaf, in days (what Apple platforms accept for a TLS server).
    public static let maximumLeafDays = 825

    /// A CA that can sign: its certificate and its private key.
    public struct Authority: Sendable {
        public let certificate: Certificate
        public let privateKey: Certificate.PrivateKey

        /// Pairs a CA certificate with its key, unchecked (``OperatorCertificates/loadAuthority(certificatePath:keyPath:now:)`` checks).
        public init(certificate: Certificate, privateKey: Certificate.PrivateKey) {
            self.certificate = certificate
            self.privateKey = privateKey
        }
    }

    /// A certificate and its new private key, in PEM.
    public struct Issued: Sendable {
        public let certificate: Certificate
        public let certificatePEM: String
        public let keyPEM: String
    }

    /// Reads a CA from PEM files and checks that it can sign leaves: it is marked as a CA
    /// (`basicConstraints` `CA:TRUE`), its `keyUsage` (when present) allows `keyCertSign`, the key is the
    /// certificate's, and it is valid at `now`.
    /// - Throws: ``OperatorCertificatesError``.
    public static func loadAuthority(certificatePath: String, keyPath: String, now: Date = Date()) throws -> Authority {
        let certificate = try readCertificate(certificatePath)
        let keyText: String
        do {
            keyText = try String(contentsOfFile: keyPath, encoding: .utf8)
        } catch {
            throw OperatorCertificatesError.unreadable(path: keyPath, reason: "\(error.localizedDescription)")
        }
        let key: Certificate.PrivateKey
        do {
            key = try Certificate.PrivateKey(pemEncoded: keyText)
        } catch {
            throw OperatorCertificatesError.unreadable(path: keyPath, reason: "not a PEM private key (\(error))")
        }
        guard case .isCertificateAuthority? = try? certificate.extensions.basicConstraints else {
            throw OperatorCertificatesError.notACertificateAuthority(path: certificatePath)
        }
        if let usage = try? certificate.extensions.keyUsage, !usage.keyCertSign {
            throw OperatorCertificatesError.notACertificateAuthority(path: certificatePath)
        }
        guard key.publicKey == certificate.publicKey else {
            throw OperatorCertificatesError.keyDoesNotMatch(certificatePath: certificatePath, keyPath: keyPath)
        }
        guard now < certificate.notValidAfter, now >= certificate.notValidBefore else {
            throw OperatorCertificatesError.authorityNotValidNow(path: certificatePath, notAfter: certificate.notValidAfter)
        }
        return Authority(certificate: certificate, privateKey: key)
    }

    /// Makes a self-signed CA (`O=asana-access, CN=<commonName>`), valid ``caValidityYears`` years.
    /// - Throws: ``DevCertificatesError/invalidClientName(_:)`` for a bad name; swift-certificates' errors.
    public static func makeAuthority(commonName: String, now: Date = Date()) throws -> Issued {
        try DevCertificates.validateCommonName(commonName)
        let start = startOfValidity(now)
        let key = P256.Signing.PrivateKey()
        let signingKey = Certificate.PrivateKey(key)
        let name = try DistinguishedName {
            OrganizationName("asana-access")
            CommonName(commonName)
        }
        let certificate = try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: signingKey.publicKey,
            notValidBefore: start, notValidAfter: try DevCertificates.addingYears(caValidityYears, to: start),
            issuer: name, subject: name, signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.isCertificateAuthority(maxPathLength: 0))
                Critical(KeyUsage(digitalSignature: true, keyCertSign: true, cRLSign: true))
                SubjectKeyIdentifier(hash: signingKey.publicKey)
            },
            issuerPrivateKey: signingKey)
        return Issued(certificate: certificate, certificatePEM: try certificate.serializeAsPEM().pemString, keyPEM: key.pemRepresentation)
    }

    /// Issues a server certificate for `hosts` (each a DNS name or an IP literal, brackets allowed; the first is
    /// also the CN), valid `days` days.
    /// - Throws: ``DevCertificatesError/invalidHost(_:)``, ``DevCertificatesError/noServerHosts``,
    ///   ``OperatorCertificatesError/invalidDays(_:)``, ``OperatorCertificatesError/outlivesAuthority(notAfter:)``.
    public static func issueServer(by authority: Authority, hosts: [String], days: Int = serverValidityDays, now: Date = Date()) throws -> Issued {
        let names = try hosts.map(DevCertificates.SANEntry.init(host:))
        guard let first = names.first else { throw DevCertificatesError.noServerHosts }
        let subject = try DistinguishedName { CommonName(first.text) }
        return try issueLeaf(by: authority, subject: subject, usage: .serverAuth, alternativeNames: names.map(\.generalName), days: days, now: now)
    }

    /// Issues a client certificate whose CN is `name` (the principal the server sees), valid `days` days.
    /// - Throws: ``DevCertificatesError/invalidClientName(_:)``, ``OperatorCertificatesError/invalidDays(_:)``,
    ///   ``OperatorCertificatesError/outlivesAuthority(notAfter:)``.
    public static func issueClient(by authority: Authority, name: String, days: Int = clientValidityDays, now: Date = Date()) throws -> Issued {
        try DevCertificates.validateCommonName(name)
        let subject = try DistinguishedName { CommonName(name) }
        return try issueLeaf(by: authority, subject: subject, usage: .clientAuth, alternativeNames: [], days: days, now: now)
    }

    static func issueLeaf(by authority: Authority, subject: DistinguishedName, usage: ExtendedKeyUsage.Usage,
                          alternativeNames: [GeneralName], days: Int, now: Date) throws -> Issued {
        guard (1...maximumLeafDays).contains(days) else { throw OperatorCertificatesError.invalidDays(days) }
        let start = startOfValidity(now)
        let end = start.addingTimeInterval(TimeInterval(days) * 86_400)
        guard end <= authority.certificate.notValidAfter else {
            throw OperatorCertificatesError.outlivesAuthority(notAfter: authority.certificate.notValidAfter)
        }
        let key = P256.Signing.PrivateKey()
        let publicKey = Certificate.PublicKey(key.publicKey)
        let authorityKeyID = (try? authority.certificate.extensions.subjectKeyIdentifier)?.keyIdentifier
            ?? SubjectKeyIdentifier(hash: authority.certificate.publicKey).keyIdentifier
        let certificate = try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: publicKey,
            notValidBefore: start, notValidAfter: end,
            issuer: authority.certificate.subject, subject: subject,
            signatureAlgorithm: try signatureAlgorithm(for: authority.privateKey),
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.notCertificateAuthority)
                Critical(KeyUsage(digitalSignature: true))
                try ExtendedKeyUsage([usage])
                if !alternativeNames.isEmpty { SubjectAlternativeNames(alternativeNames) }
                SubjectKeyIdentifier(hash: publicKey)
                AuthorityKeyIdentifier(keyIdentifier: authorityKeyID)
            },
            issuerPrivateKey: authority.privateKey)
        return Issued(certificate: certificate, certificatePEM: try certificate.serializeAsPEM().pemString, keyPEM: key.pemRepresentation)
    }

    /// The signature algorithm for a CA key: ECDSA with the curve's hash, RSA with SHA-256, or Ed25519.
    static func signatureAlgorithm(for key: Certificate.PrivateKey) throws -> Certificate.SignatureAlgorithm {
        let publicKey = key.publicKey
        if P256.Signing.PublicKey(publicKey) != nil { return .ecdsaWithSHA256 }
        if P384.Signing.PublicKey(publicKey) != nil { return .ecdsaWithSHA384 }
        if P521.Signing.PublicKey(publicKey) != nil { return .ecdsaWithSHA512 }
        if Curve25519.Signing.PublicKey(publicKey) != nil { return .ed25519 }
        return .sha256WithRSAEncryption
    }

    /// Writes `issued` to `certificatePath` (0644) and `keyPath` (0600), each to a temporary name and renamed
    /// into place. Without `force`, either file existing is refused before anything is written.
    /// - Throws: ``DevCertificatesError/alreadyExists(_:)``, ``DevCertificatesError/io(path:reason:)``.
    public static func write(_ issued: Issued, certificatePath: String, keyPath: String, force: Bool) throws {
        if !force, let existing = [certificatePath, keyPath].first(where: { FileManager.default.fileExists(atPath: $0) }) {
            throw DevCertificatesError.alreadyExists(existing)
        }
        let directory = (certificatePath as NSString).deletingLastPathComponent
        if !directory.isEmpty { try DevCertificates.createDirectory(directory) }
        let keyDirectory = (keyPath as NSString).deletingLastPathComponent
        if !keyDirectory.isEmpty { try DevCertificates.createDirectory(keyDirectory) }
        try DevCertificates.writeAtomically(issued.keyPEM.hasSuffix("\n") ? issued.keyPEM : issued.keyPEM + "\n", to: keyPath, mode: 0o600)
        try DevCertificates.writeAtomically(issued.certificatePEM.hasSuffix("\n") ? issued.certificatePEM : issued.certificatePEM + "\n", to: certificatePath, mode: 0o644)
    }

    /// Reads the first certificate of a PEM file.
    /// - Throws: ``OperatorCertificatesError/unreadable(path:reason:)``.
    public static func readCertificate(_ path: String) throws -> Certificate {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw OperatorCertificatesError.unreadable(path: path, reason: "\(error.localizedDescription)")
        }
        do {
            let documents = try PEMDocument.parseMultiple(pemString: text).filter { $0.discriminator == "CERTIFICATE" }
            guard let first = documents.first else { throw OperatorCertificatesError.unreadable(path: path, reason: "no CERTIFICATE block") }
            return try Certificate(pemDocument: first)
        } catch let error as OperatorCertificatesError {
            throw error
        } catch {
            throw OperatorCertificatesError.unreadable(path: path, reason: "not a PEM certificate (\(error))")
        }
    }

    static func startOfValidity(_ now: Date) -> Date {
        Date(timeIntervalSince1970: (now.timeIntervalSince1970 - DevCertificates.backdating).rounded(.down))
    }
}

/// Why a production certificate could not be issued or read.
public enum OperatorCertificatesError: Error, Hashable, CustomStringConvertible {
    /// The file cannot be read, or holds no certificate or key in PEM.
    case unreadable(path: String, reason: String)
    /// The CA certificate is not marked as a CA (`basicConstraints` `CA:TRUE`), or its `keyUsage` lacks `keyCertSign`.
    case notACertificateAuthority(path: String)
    /// The CA key is not the key of the CA certificate.
    case keyDoesNotMatch(certificatePath: String, keyPath: String)
    /// The CA is expired, or not valid yet.
    case authorityNotValidNow(path: String, notAfter: Date)
    /// `--days` is outside 1…``OperatorCertificates/maximumLeafDays``.
    case invalidDays(Int)
    /// The certificate would still be valid after its CA expires.
    case outlivesAuthority(notAfter: Date)

    public var description: String {
        switch self {
        case .unreadable(let path, let reason):
            "cannot read \(path): \(reason)"
        case .notACertificateAuthority(let path):
            "\(path) is not a certificate authority (it needs basicConstraints CA:TRUE and, if it has keyUsage, keyCertSign): pass the CA's certificate to --ca-cert"
        case .keyDoesNotMatch(let certificatePath, let keyPath):
            "the key \(keyPath) is not the key of \(certificatePath): pass the CA's own key to --ca-key"
        case .authorityNotValidNow(let path, let notAfter):
            "the CA \(path) is not valid now (not after \(ISO8601DateFormatter().string(from: notAfter))): make a new CA (see certs/README.md, Rotating)"
        case .invalidDays(let days):
            "--days \(days) is outside 1…\(OperatorCertificates.maximumLeafDays)"
        case .outlivesAuthority(let notAfter):
            "the certificate would outlive its CA, which expires \(ISO8601DateFormatter().string(from: notAfter)): ask for fewer --days, or make a new CA"
        }
    }
}

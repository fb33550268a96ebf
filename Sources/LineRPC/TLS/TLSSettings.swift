import Foundation
import NIOSSL

/// Builds the TLS configurations of both ends from PEM files.
///
/// Both ends require TLS 1.2 or newer (swift-nio-ssl's factories default to TLS 1.0, so it is set
/// explicitly); the server takes only AEAD cipher suites under TLS 1.2 (``tls12Ciphers``). Throws `NIOSSLError` when a file is missing or is not PEM.
public enum TLSSettings {
    /// The server side.
    /// - Parameters:
    ///   - certificateChain: PEM file with the server certificate (and intermediates).
    ///   - privateKey: PEM file with the server's private key.
    ///   - clientTrustRoots: PEM file of the CA(s) that sign client certificates. When given, a client
    ///     certificate not from these roots fails the handshake.
    ///   - clientCertificateRequired: with `clientTrustRoots`, whether a client without a certificate fails
    ///     the handshake (true), or completes it unauthenticated and must `authenticate` with a token (false).
    public static func server(certificateChain: String, privateKey: String, clientTrustRoots: String?,
                              clientCertificateRequired: Bool = true) throws -> TLSConfiguration {
        let chain = try certificates(certificateChain, role: "server certificate").map { NIOSSLCertificateSource.certificate($0) }
        let key = NIOSSLPrivateKeySource.privateKey(try self.privateKey(privateKey))
        var configuration: TLSConfiguration
        if let clientTrustRoots {
            configuration = .makeServerConfigurationWithMTLS(
                certificateChain: chain, privateKey: key,
                trustRoots: .certificates(try certificates(clientTrustRoots, role: "client CA")))
            // optionalVerification: a certificate presented must still verify against the roots.
            configuration.certificateVerification = clientCertificateRequired ? .noHostnameVerification : .optionalVerification
            configuration.verifySignatureAlgorithms = clientCertificateSignatureAlgorithms
        } else {
            configuration = .makeServerConfiguration(certificateChain: chain, privateKey: key)
            configuration.certificateVerification = .none
        }
        configuration.minimumTLSVersion = .tlsv12
        configuration.cipherSuiteValues = tls12Ciphers
        // When the server closes a connection (a limit, a drain), wait at most 1 s for the peer's
        // close_notify instead of swift-nio-ssl's default 5 s.
        configuration.shutdownTimeout = .seconds(1)
        return configuration
    }

    /// The signature algorithms the server accepts from a client certificate's key (what its CertificateRequest
    /// lists, RFC 8446 §4.3.2): ECDSA on P-256, P-384 and P-521, Ed25519, and RSA (PSS and PKCS #1 v1.5, 2048
    /// bits or more). BoringSSL's default list omits Ed25519 and P-521, whose certificates then failed the
    /// handshake with a misleading "certificate required".
    public static let clientCertificateSignatureAlgorithms: [SignatureAlgorithm] = [
        .ecdsaSecp256R1Sha256, .ecdsaSecp384R1Sha384, .ecdsaSecp521R1Sha512, .ed25519,
        .rsaPssRsaeSha256, .rsaPssRsaeSha384, .rsaPssRsaeSha512, .rsaPkcs1Sha256, .rsaPkcs1Sha384, .rsaPkcs1Sha512,
    ]

    /// The TLS 1.2 cipher suites the server accepts: ECDHE key exchange with an AEAD cipher only
    /// (AES-GCM, ChaCha20-Poly1305), none with CBC or SHA-1 (RFC 9325 §4.2). TLS 1.3's suites are
    /// all AEAD and are not affected by this list.
    public static let tls12Ciphers: [NIOTLSCipher] = [
        .TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, .TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
        .TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, .TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
        .TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256, .TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
    ]

    /// The client side.
    /// - Parameters:
    ///   - trustRoots: PEM file of the CA that signed the server certificate; `nil` uses the system trust store.
    ///   - certificateChain: PEM file with the client certificate, for mutual TLS.
    ///   - privateKey: PEM file with the client's private key, for mutual TLS.
    public static func client(trustRoots: String?, certificateChain: String?, privateKey: String?) throws -> TLSConfiguration {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.minimumTLSVersion = .tlsv12
        configuration.certificateVerification = .fullVerification
        if let trustRoots {
            configuration.trustRoots = .certificates(try certificates(trustRoots, role: "CA"))
        }
        if let certificateChain {
            configuration.certificateChain = try certificates(certificateChain, role: "client certificate").map { .certificate($0) }
        }
        if let privateKey {
            configuration.privateKey = .privateKey(try self.privateKey(privateKey))
        }
        return configuration
    }

    private static func certificates(_ path: String, role: String) throws -> [NIOSSLCertificate] {
        guard FileManager.default.isReadableFile(atPath: path) else { throw TLSFileError(path: path, role: role, reason: "missing or not readable") }
        do {
            let certificates = try NIOSSLCertificate.fromPEMFile(path)
            guard !certificates.isEmpty else { throw TLSFileError(path: path, role: role, reason: "holds no PEM certificate") }
            return certificates
        } catch let error as TLSFileError {
            throw error
        } catch {
            throw TLSFileError(path: path, role: role, reason: "not a PEM certificate")
        }
    }

    private static func privateKey(_ path: String) throws -> NIOSSLPrivateKey {
        guard FileManager.default.isReadableFile(atPath: path) else { throw TLSFileError(path: path, role: "private key", reason: "missing or not readable") }
        do {
            return try NIOSSLPrivateKey(file: path, format: .pem)
        } catch {
            throw TLSFileError(path: path, role: "private key", reason: "not a PEM private key")
        }
    }
}

/// A TLS file that cannot be used, and why: `server certificate certs/dev/server.pem: not a PEM certificate`.
public struct TLSFileError: Error, Sendable, CustomStringConvertible {
    public let path: String
    public let role: String
    public let reason: String

    public var description: String { "\(role) \(path): \(reason)" }
}

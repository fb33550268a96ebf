import Foundation
import SwiftASN1
import X509

/// What `serve` checks in its TLS files before it listens: a server certificate outside its validity
/// period would fail every client's handshake, and a `--client-ca` file without a CA certificate (a leaf
/// given by mistake) would refuse every client certificate. Both are refused at start instead.
public enum ServingCertificateCheck {
    /// A server certificate expiring within this many days is warned about at start (and
    /// `AsanaAccessCertificateExpiresSoon` fires on the exported expiry).
    public static let warningDays = 14

    /// The server certificate (the first of `path`'s chain) checked at `now`.
    /// - Returns: its notAfter, and a warning when it expires within ``warningDays``.
    /// - Throws: ``ServingCertificateError`` when it is unreadable, expired or not yet valid.
    public static func checkServerCertificate(_ path: String, now: Date = Date()) throws -> (notAfter: Date, warning: String?) {
        let certificate = try read(path).first!
        let summary = CertificateSummary(certificate, now: now)
        if summary.isExpired { throw ServingCertificateError.expired(path: path, notAfter: certificate.notValidAfter) }
        if summary.isNotYetValid { throw ServingCertificateError.notYetValid(path: path, notBefore: certificate.notValidBefore) }
        guard summary.daysLeft < warningDays else { return (certificate.notValidAfter, nil) }
        return (certificate.notValidAfter,
                "the server certificate \(path) expires in \(summary.daysLeft) days (notAfter \(timestamp(certificate.notValidAfter))): "
                    + "every client will fail its TLS handshake after that; issue a new one (asana-accessd certs server) and restart")
    }

    /// The CA certificates of a `--client-ca` file.
    /// - Returns: the earliest notAfter among them (after it, clients signed by that CA are refused).
    /// - Throws: ``ServingCertificateError/noCertificateAuthority(path:subject:)`` when no certificate in the
    ///   file has basicConstraints CA:TRUE; ``ServingCertificateError/unreadable(path:reason:)``.
    public static func checkClientCA(_ path: String) throws -> Date {
        let certificates = try read(path)
        let authorities = certificates.filter {
            if case .isCertificateAuthority? = try? $0.extensions.basicConstraints { return true }
            return false
        }
        guard let earliest = authorities.map(\.notValidAfter).min() else {
            throw ServingCertificateError.noCertificateAuthority(path: path, subject: "\(certificates[0].subject)")
        }
        return earliest
    }

    /// Every certificate of the PEM file `path` (at least one).
    private static func read(_ path: String) throws -> [Certificate] {
        do {
            let text = try String(contentsOfFile: path, encoding: .utf8)
            let certificates = try PEMDocument.parseMultiple(pemString: text).filter { $0.discriminator == "CERTIFICATE" }
                .map { try Certificate(pemDocument: $0) }
            guard !certificates.isEmpty else { throw ServingCertificateError.unreadable(path: path, reason: "no CERTIFICATE block") }
            return certificates
        } catch let error as ServingCertificateError {
            throw error
        } catch {
            throw ServingCertificateError.unreadable(path: path, reason: "\(error)")
        }
    }

    static func timestamp(_ date: Date) -> String { ISO8601DateFormatter().string(from: date) }
}

/// A TLS file `serve` refuses to start with.
public enum ServingCertificateError: Error, Sendable, CustomStringConvertible {
    case unreadable(path: String, reason: String)
    /// The server certificate's notAfter has passed.
    case expired(path: String, notAfter: Date)
    /// The server certificate's notBefore is still to come.
    case notYetValid(path: String, notBefore: Date)
    /// The `--client-ca` file holds no certificate with basicConstraints CA:TRUE; `subject` is its first certificate's.
    case noCertificateAuthority(path: String, subject: String)

    public var description: String {
        switch self {
        case .unreadable(let path, let reason):
            "cannot read the certificate \(path): \(reason)"
        case .expired(let path, let notAfter):
            "the server certificate \(path) expired at \(ServingCertificateCheck.timestamp(notAfter)) (notAfter): every client would fail its TLS handshake; issue a new one (asana-accessd certs server) and start again"
        case .notYetValid(let path, let notBefore):
            "the server certificate \(path) is not valid before \(ServingCertificateCheck.timestamp(notBefore)) (notBefore): check the clock of this host or of the CA that issued it"
        case .noCertificateAuthority(let path, let subject):
            "--client-ca \(path) holds no CA certificate (basicConstraints CA:TRUE); its certificate \(subject) is a leaf. Give the CA that signs client certificates (its ca.pem), not a client's or the server's certificate"
        }
    }
}

import AccessMetrics
import Foundation
import Logging
import NIOCore
import NIOSSL

/// Makes a failed TLS handshake visible: counts it in ``ServerMetrics/tlsHandshakeFailures`` by
/// ``TLSHandshakeFailureReason`` and logs one `notice` line, `TLS handshake failed`, whose metadata has
/// the connection's `remote` address, the `reason` and BoringSSL's `error`.
///
/// One per connection, used on its event loop only. Its ``verificationCallback`` goes to the TLS handler:
/// it keeps BoringSSL's verdict on each certificate of the client's chain unchanged and remembers why one
/// failed (outside its validity period, or not trusted), which BoringSSL's handshake error does not say.
/// ``CertificateIdentifier`` (right after the TLS handler) calls ``report(_:)`` with an error caught
/// before the handshake completed.
///
/// The callback goes in through `NIOSSLServerHandler(context:verificationCallback:)`, deprecated in favour
/// of a custom verification callback that would replace BoringSSL's verification with our own: this one is
/// the only hook that sees BoringSSL's verdict and leaves it alone.
final class HandshakeFailureReporter {
    private let logger: Logger
    private var verificationFailure: TLSHandshakeFailureReason?
    private var reported = false

    init(logger: Logger) {
        self.logger = logger
    }

    /// For `NIOSSLServerHandler`: returns BoringSSL's result as it is, noting why a certificate failed.
    var verificationCallback: NIOSSLVerificationCallback {
        { [self] result, certificate in
            if result == .failed, verificationFailure != .expiredCertificate {
                let now = time(nil)
                verificationFailure = certificate.notValidAfter < now || certificate.notValidBefore > now ? .expiredCertificate : .untrustedCertificate
            }
            return result
        }
    }

    /// Counts and logs `error`, caught before the handshake completed (once per connection).
    func report(_ error: any Error) {
        guard !reported else { return }
        reported = true
        let reason = classify(error)
        reason.record()
        logger.notice("TLS handshake failed", metadata: ["reason": "\(reason.rawValue)", "error": "\(error)"])
    }

    /// The reason of a handshake error: BoringSSL's reason codes, refined by what the verification callback saw.
    func classify(_ error: any Error) -> TLSHandshakeFailureReason {
        guard let ssl = error as? NIOSSLError, case .handshakeFailed(let boring) = ssl else { return .other }
        let text = "\(boring)"
        if text.contains("PEER_DID_NOT_RETURN_A_CERTIFICATE") || text.contains("CERTIFICATE_REQUIRED") { return .noCertificate }
        if let verificationFailure { return verificationFailure }
        if text.contains("CERTIFICATE_VERIFY_FAILED") || text.contains("CERTIFICATE") { return .untrustedCertificate }
        return .protocol
    }
}

extension SocketAddress {
    /// `127.0.0.1:38193`, `[::1]:5000` (a Unix socket: its path), for the `remote` log field; not NIO's
    /// `[IPv4]127.0.0.1/127.0.0.1:38193` description.
    var logDescription: String {
        switch self {
        case .v4: "\(ipAddress ?? "?"):\(port ?? 0)"
        case .v6: "[\(ipAddress ?? "?")]:\(port ?? 0)"
        case .unixDomainSocket: pathname ?? "unix"
        }
    }
}

import Metrics

/// Why a client's TLS handshake with the RPC port failed: the `reason` label of
/// ``ServerMetrics/tlsHandshakeFailures`` and of the `TLS handshake failed` log line.
public enum TLSHandshakeFailureReason: String, Sendable, CaseIterable {
    /// Mutual TLS is required and the client sent no certificate.
    case noCertificate = "no_certificate"
    /// The client's certificate (or one of its chain) is outside its validity period: expired, or not yet valid.
    case expiredCertificate = "expired_certificate"
    /// The client's certificate does not verify: signed by another CA, wrong extended key usage, a broken chain.
    case untrustedCertificate = "untrusted_certificate"
    /// The client does not speak TLS as the server does (plain text, an HTTP request, no shared version or cipher).
    case `protocol`
    /// Anything else before the handshake completed (the connection reset or closed uncleanly mid-handshake).
    case other

    /// Counts one failed handshake.
    public func record() {
        Counter(label: ServerMetrics.tlsHandshakeFailures.name, dimensions: [("reason", rawValue)]).increment()
    }
}

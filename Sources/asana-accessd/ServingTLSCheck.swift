import AccessMetrics
import DevCertificates
import Foundation
import Logging
import Metrics

/// `serve`'s checks of its TLS files before it listens.
enum ServingTLSCheck {
    /// Checks the server certificate and the client CA (``ServingCertificateCheck``): refuses an expired or
    /// not yet valid server certificate and a `--client-ca` without a CA certificate, warns once when the
    /// server certificate expires within 14 days, and sets ``ServerMetrics/tlsCertificateExpiry``.
    /// - Throws: `CommandFailure` naming the file and the problem (exit 1).
    static func run(certificate: String, clientCA: String?, logger: Logger) throws {
        do {
            let server = try ServingCertificateCheck.checkServerCertificate(certificate)
            if let warning = server.warning { logger.warning("\(warning)") }
            Gauge(label: ServerMetrics.tlsCertificateExpiry.name, dimensions: [("certificate", "server")])
                .record(server.notAfter.timeIntervalSince1970)
            if let clientCA {
                let notAfter = try ServingCertificateCheck.checkClientCA(clientCA)
                Gauge(label: ServerMetrics.tlsCertificateExpiry.name, dimensions: [("certificate", "client_ca")])
                    .record(notAfter.timeIntervalSince1970)
            }
        } catch let error as ServingCertificateError {
            throw CommandFailure(error.description)
        }
    }
}

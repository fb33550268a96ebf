import AccessMetrics
import DevCertificates
import Foundation
import Logging
import Metrics

extension TLSOptions {
    /// `serve`'s checks of its TLS files before it listens (``ServingCertificateCheck``): refuses an expired or
    /// not yet valid server certificate and a `--client-ca` without a CA certificate, warns once when the
    /// server certificate expires within 14 days, and sets ``ServerMetrics/tlsCertificateExpiry``.
    /// - Throws: `CommandFailure` naming the file and the problem (exit 1).
    func checkBeforeServing(logger: Logger) throws {
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

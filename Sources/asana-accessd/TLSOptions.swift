import Foundation
import ArgumentParser
import LineRPC
import NIOSSL

/// The server's TLS files. Mutual TLS is required: clients must present a certificate signed by `--client-ca`.
/// Defaults are the development set made by `asana-accessd certs dev`.
struct TLSOptions: ParsableArguments {
    @Option(name: .customLong("tls-cert"), help: "Server certificate chain, PEM (env ASANA_ACCESSD_TLS_CERT).", completion: .file(extensions: ["pem"]))
    var certificate: String = environment("ASANA_ACCESSD_TLS_CERT", default: "certs/dev/server.pem")

    @Option(name: .customLong("tls-key"), help: "Server private key, PEM (env ASANA_ACCESSD_TLS_KEY).", completion: .file(extensions: ["pem"]))
    var key: String = environment("ASANA_ACCESSD_TLS_KEY", default: "certs/dev/server-key.pem")

    @Option(name: .customLong("client-ca"), help: "CA that signs client certificates, PEM; mutual TLS is required (env ASANA_ACCESSD_CLIENT_CA).", completion: .file(extensions: ["pem"]))
    var clientCA: String = environment("ASANA_ACCESSD_CLIENT_CA", default: "certs/dev/ca.pem")

    /// The server TLS configuration (TLS 1.2 minimum, client certificates required).
    /// - Throws: `CommandFailure` naming the file that is missing or unreadable.
    func serverConfiguration() throws -> TLSConfiguration {
        do {
            return try TLSSettings.server(certificateChain: certificate, privateKey: key, clientTrustRoots: clientCA)
        } catch {
            throw CommandFailure("cannot load TLS files (--tls-cert \(certificate), --tls-key \(key), --client-ca \(clientCA)): \(error). Make a development set with `asana-accessd certs dev`.")
        }
    }
}

func environment(_ name: String, default value: String) -> String {
    ProcessInfo.processInfo.environment[name] ?? value
}

import AccessProtocol
import Foundation
import AccessStore
import ArgumentParser
import LineRPC
import NIOSSL

/// The server's TLS files, and who may connect. With `--client-ca`, mutual TLS is required: clients
/// must present a certificate signed by that CA, and `--principal-role` maps certificate names to
/// roles. Without it, clients authenticate with an API token (`authenticate`).
/// The certificate defaults are the development set made by `asana-accessd certs dev`.
struct TLSOptions: ParsableArguments {
    @Option(name: .customLong("tls-cert"), help: "Server certificate chain, PEM (env ASANA_ACCESSD_TLS_CERT).", completion: .file(extensions: ["pem"]))
    var certificate: String = environment("ASANA_ACCESSD_TLS_CERT", default: "certs/dev/server.pem")

    @Option(name: .customLong("tls-key"), help: "Server private key, PEM (env ASANA_ACCESSD_TLS_KEY).", completion: .file(extensions: ["pem"]))
    var key: String = environment("ASANA_ACCESSD_TLS_KEY", default: "certs/dev/server-key.pem")

    @Option(name: .customLong("client-ca"), help: "CA that signs client certificates, PEM: when given, mutual TLS is required (env ASANA_ACCESSD_CLIENT_CA).", completion: .file(extensions: ["pem"]))
    var clientCAOption: String?

    /// `--client-ca`, or else `ASANA_ACCESSD_CLIENT_CA`; nil: no mutual TLS.
    var clientCA: String? { clientCAOption ?? ProcessInfo.processInfo.environment["ASANA_ACCESSD_CLIENT_CA"] }

    @Option(name: .customLong("principal-role"), help: ArgumentHelp(
        "Map a client certificate's subject CN to a role, NAME=reader|operator|admin; repeat for more (env ASANA_ACCESSD_PRINCIPAL_ROLES, comma-separated). Unmapped certificates must authenticate with a token.",
        valueName: "name=role"))
    var principalRoles: [String] = ProcessInfo.processInfo.environment["ASANA_ACCESSD_PRINCIPAL_ROLES"].map { $0.split(separator: ",").map(String.init) } ?? []

    /// `--principal-role` as a map. - Throws: `ValidationError` for an entry that is not `NAME=ROLE`.
    func roleMap() throws -> [String: AccessRole] {
        var roles: [String: AccessRole] = [:]
        for entry in principalRoles {
            let parts = entry.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2, !parts[0].isEmpty, let role = AccessRole(rawValue: parts[1]) else {
                throw ValidationError("--principal-role \(entry) is not NAME=reader|operator|admin")
            }
            roles[parts[0]] = role
        }
        return roles
    }

    /// The server TLS configuration (TLS 1.2 minimum; client certificates required when `--client-ca` is given).
    /// - Throws: `CommandFailure` naming the file that is missing or unreadable.
    func serverConfiguration() throws -> TLSConfiguration {
        do {
            return try TLSSettings.server(certificateChain: certificate, privateKey: key, clientTrustRoots: clientCA)
        } catch {
            throw CommandFailure("cannot use the TLS files: \(error). Make a development set with `asana-accessd certs dev`, or check --tls-cert, --tls-key and --client-ca.")
        }
    }
}

func environment(_ name: String, default value: String) -> String {
    ProcessInfo.processInfo.environment[name] ?? value
}

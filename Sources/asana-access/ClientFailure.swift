import AccessProtocol
import LineRPC

/// A failure of the client that is not an error answer from the server.
enum ClientFailure: Error, CustomStringConvertible {
    /// Connecting, the TLS handshake, or reading the answer failed (exit 3).
    case connection(RPCClientError)
    /// The TLS files could be read but not loaded as PEM certificates or keys (exit 3).
    case tlsFiles(String)
    /// Another transport failure the client library did not classify (exit 3).
    case transport(String)
    /// A call succeeded but some of its parts failed, e.g. a `provision` target (exit 1);
    /// the lines are printed to stderr as they are.
    case partialFailure([String])
    /// Asana refused the OAuth authorization (its redirect carried `error`), so there is nothing to finish (exit 1).
    case authorizationRefused(String)
    /// The call succeeded but found nothing to act on, e.g. `revokeToken` answered `done: false` (exit 1).
    case notFound(String)
    /// The `--output` file exists (without `--force`) or could not be written (exit 1); nothing was left at its path.
    case outputFile(String)

    /// The exit code for this failure (``ExitStatus``).
    var exitStatus: Int32 {
        switch self {
        case .connection, .tlsFiles, .transport: ExitStatus.connection
        case .partialFailure, .authorizationRefused, .notFound, .outputFile: ExitStatus.rpcError
        }
    }

    var description: String {
        switch self {
        case .connection(let error):
            switch error {
            case .connectionFailed:
                "\(error)\nhint: is asana-accessd running? check --host/--port (ASANA_ACCESS_HOST/ASANA_ACCESS_PORT)"
            case .tlsFailed(let reason):
                "\(error)\nhint: \(Self.tlsHint(for: reason))"
            case .connectionClosed:
                "\(error)\nhint: is it an asana-accessd TLS port? does the server require a client certificate (--cert/--key)?"
            case .malformedResponse:
                "\(error)\nhint: is asana-accessd listening there? check --host/--port"
            }
        case .tlsFiles(let reason):
            "cannot load the TLS files: \(reason)\nhint: --ca, --cert and --key must be PEM files"
        case .transport(let reason):
            "connection failed: \(reason)\nhint: is asana-accessd running? check --host/--port/--ca"
        case .partialFailure(let lines):
            lines.joined(separator: "\n")
        case .authorizationRefused(let text), .notFound(let text), .outputFile(let text):
            text
        }
    }

    /// A hint for a TLS failure, picked by what BoringSSL or swift-nio-ssl said.
    static func tlsHint(for reason: String) -> String {
        if reason.contains("CERTIFICATE_VERIFY_FAILED") {
            "the server certificate is not signed by a CA you trust: pass --ca with the CA's PEM (ASANA_ACCESS_CA)"
        } else if reason.contains("CERTIFICATE_REQUIRED") || reason.contains("HANDSHAKE_FAILURE") && !reason.contains("VERIFY") {
            "the server requires a client certificate: pass --cert and --key (ASANA_ACCESS_CERT/ASANA_ACCESS_KEY); its key must be ECDSA P-256, P-384 or P-521, Ed25519, or RSA of 2048 bits or more"
        } else if reason.contains("BAD_CERTIFICATE") || reason.contains("UNKNOWN_CA") || reason.contains("CERTIFICATE_UNKNOWN") {
            "the server refused the client certificate: check --cert/--key and that its CA is the one the server trusts"
        } else if reason.contains("failedToValidateHostname") {
            "the server certificate does not name this host: pass --server-name with a name it carries"
        } else {
            "check --ca (the CA that signed the server certificate), --server-name, and --cert/--key if the server requires a client certificate"
        }
    }

    /// `error CODE NAME: message`, the one-line form of an error answer (NAME is `data.name`, or `-`).
    static func describe(_ error: RPCError) -> String {
        "error \(error.code) \(error.name ?? "-"): \(error.message)"
    }
}

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

    /// The exit code for this failure (``ExitStatus``).
    var exitStatus: Int32 {
        switch self {
        case .connection, .tlsFiles, .transport: ExitStatus.connection
        case .partialFailure: ExitStatus.rpcError
        }
    }

    var description: String {
        switch self {
        case .connection(let error):
            switch error {
            case .connectionFailed:
                "\(error)\nhint: is asana-accessd running? check --host/--port (ASANA_ACCESS_HOST/ASANA_ACCESS_PORT)"
            case .tlsFailed:
                "\(error)\nhint: check --ca (the CA that signed the server certificate), --server-name, and --cert/--key if the server requires a client certificate"
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
        }
    }

    /// `error CODE NAME: message`, the one-line form of an error answer (NAME is `data.name`, or `-`).
    static func describe(_ error: RPCError) -> String {
        "error \(error.code) \(error.name ?? "-"): \(error.message)"
    }
}

import Foundation

/// The exit codes of `asana-access`; scripts may rely on them.
enum ExitStatus {
    /// The call succeeded.
    static let success: Int32 = 0
    /// The server answered with a JSON-RPC error (printed as `error CODE NAME: message`), or a
    /// `provision` target failed.
    static let rpcError: Int32 = 1
    /// Bad command line: unknown option, missing or invalid value (ArgumentParser would say 64).
    static let usage: Int32 = 2
    /// No answer: the connection or the TLS handshake failed, or the server closed the connection
    /// or sent something that is not JSON-RPC.
    static let connection: Int32 = 3
}

/// Ends the process with `status`, flushing stdout first (C `exit`).
func terminate(_ status: Int32) -> Never {
    exit(status)
}

/// Why a client call failed before an answer arrived (an answer with an `error` member throws ``RPCError`` instead).
public enum RPCClientError: Error, Sendable, CustomStringConvertible {
    /// The TCP connection could not be made (refused, unreachable, timed out).
    case connectionFailed(host: String, port: Int, reason: String)
    /// The TLS handshake failed: untrusted or mismatched certificate, no client certificate, protocol version.
    case tlsFailed(String)
    /// The connection ended before the answer: the server closed it, it was reset, or no byte
    /// arrived for ``RPCClientConfiguration/readTimeout``. `reason` says which.
    case connectionClosed(reason: String)
    /// The server sent a line that is not a JSON-RPC 2.0 response.
    case malformedResponse(String)

    public var description: String {
        switch self {
        case .connectionFailed(let host, let port, let reason): "cannot connect to \(host):\(port): \(reason)"
        case .tlsFailed(let reason): "TLS handshake failed: \(reason)"
        case .connectionClosed(let reason): "the connection ended before the answer: \(reason)"
        case .malformedResponse(let reason): "the server sent an unreadable answer: \(reason)"
        }
    }
}

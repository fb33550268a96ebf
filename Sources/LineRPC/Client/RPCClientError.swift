import AccessProtocol
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

extension RPCClientError {
    /// `result` decoded as `T`, or ``malformedResponse(_:)`` naming `method` and the member at fault.
    public static func decoding<T: Decodable>(_ result: JSONValue, as type: T.Type, answerTo method: String) throws(RPCClientError) -> T {
        do {
            return try result.decoded(as: T.self)
        } catch let error as DecodingError {
            throw .malformedResponse("the result of \(method) does not have the shape the protocol gives it: \(Self.describe(error))")
        } catch {
            throw .malformedResponse("the result of \(method) could not be read: \(error)")
        }
    }

    private static func describe(_ error: DecodingError) -> String {
        func path(_ keys: [any CodingKey]) -> String {
            keys.isEmpty ? "the result" : "\"" + keys.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".") + "\""
        }
        switch error {
        case .keyNotFound(let key, let context): return "\(path(context.codingPath + [key])) is missing"
        case .valueNotFound(_, let context): return "\(path(context.codingPath)) is null"
        case .typeMismatch(let type, let context): return "\(path(context.codingPath)) is not a \(type)"
        case .dataCorrupted(let context): return "\(path(context.codingPath)): \(context.debugDescription)"
        @unknown default: return "\(error)"
        }
    }
}

import AccessProtocol
/// A JSON-RPC 2.0 request or notification that passed envelope validation.
public struct RPCRequest: Sendable, Equatable {
    /// The id to echo; `nil` for a notification (no `id` member), which gets no answer.
    public var id: RPCID?
    public var method: String
    /// `params` as sent: an object (by name) or an array (by position); `nil` when absent or `null`.
    public var params: JSONValue?

    public init(id: RPCID?, method: String, params: JSONValue?) {
        self.id = id
        self.method = method
        self.params = params
    }

    /// `true` when the sender expects no answer.
    public var isNotification: Bool { id == nil }
}

/// One element of an incoming line after envelope validation.
public enum RPCIncomingEntry: Sendable, Equatable {
    case request(RPCRequest)
    /// A message that is not a valid request; answered with `error` and `id` (`null` when it could not be read).
    case invalid(id: RPCID, error: RPCError)
}

/// What one line held.
public enum RPCIncomingMessage: Sendable, Equatable {
    /// A single message; answered with a single response (or nothing, for a notification).
    case single(RPCIncomingEntry)
    /// A batch (a JSON array); answered with one array of responses, or nothing if all were notifications.
    case batch([RPCIncomingEntry])
    /// A line with only spaces or tabs: ignored, as a keep-alive.
    case empty
}

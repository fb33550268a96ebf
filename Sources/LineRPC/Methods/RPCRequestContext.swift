import AccessProtocol
import Logging

/// What a method handler knows about the call: who is calling, on which connection, and how to
/// send notifications back on that connection.
public struct RPCRequestContext: Sendable {
    /// A number unique to the connection within this server process, for logs.
    public let connectionID: UInt64
    /// The connection's session: who is calling, and its authentication state.
    public let session: RPCSession
    /// A logger carrying `connection` and `rpc.method` metadata.
    public let logger: Logger
    /// The id of the request being answered; nil for a notification (and before dispatch).
    public let requestID: RPCID?
    /// The limits of the server the call came through (protocol.md §7).
    public let limits: ServerLimits
    let sendNotification: @Sendable (RPCNotification) async -> Void

    public init(connectionID: UInt64, session: RPCSession, logger: Logger, requestID: RPCID? = nil,
                limits: ServerLimits = RPCServerConfiguration.defaultLimits,
                sendNotification: @escaping @Sendable (RPCNotification) async -> Void) {
        self.connectionID = connectionID
        self.session = session
        self.logger = logger
        self.requestID = requestID
        self.limits = limits
        self.sendNotification = sendNotification
    }

    /// This context for one request: its logger and its id.
    func scoped(logger: Logger, requestID: RPCID?) -> RPCRequestContext {
        RPCRequestContext(connectionID: connectionID, session: session, logger: logger, requestID: requestID, limits: limits,
                          sendNotification: sendNotification)
    }

    /// The caller's identity, or `nil` before authentication.
    public var identity: RPCIdentity? { session.identity }

    /// Sends a notification to the caller on this connection. Never throws: if the connection is
    /// gone the notification is dropped, and the request's own answer reports the outcome.
    public func notify(_ method: String, params: some Encodable & Sendable) async {
        await sendNotification(RPCNotification(method: method, params: params))
    }
}

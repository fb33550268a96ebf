import AccessProtocol
import Logging

/// What a method handler knows about the call: who is calling, on which connection, and how to
/// send notifications back on that connection.
public struct RPCRequestContext: Sendable {
    /// A number unique to the connection within this server process, for logs.
    public let connectionID: UInt64
    /// The connection's session: who is calling, and its authentication state.
    public let session: RPCSession
    /// A logger carrying `connection`, `rpc.method` and `principal` metadata, built when it is asked for
    /// (most calls log nothing, and setting metadata copies it).
    public var logger: Logger {
        guard method != nil || principal != nil else { return baseLogger }
        var logger = baseLogger
        if let method { logger[metadataKey: "rpc.method"] = "\(method)" }
        if let principal { logger[metadataKey: "principal"] = "\(principal)" }
        return logger
    }
    /// The connection's logger, without the call's metadata.
    let baseLogger: Logger
    /// The method called, and who called it, for ``logger``.
    private var method: String?
    private var principal: String?
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
        self.baseLogger = logger
        self.requestID = requestID
        self.limits = limits
        self.sendNotification = sendNotification
    }

    /// This context for one request: its method, caller and id.
    func scoped(method: String, principal: String?, requestID: RPCID?) -> RPCRequestContext {
        var scoped = RPCRequestContext(connectionID: connectionID, session: session, logger: baseLogger, requestID: requestID, limits: limits,
                                       sendNotification: sendNotification)
        scoped.method = method
        scoped.principal = principal
        return scoped
    }

    /// The caller's identity, or `nil` before authentication.
    public var identity: RPCIdentity? { session.identity }

    /// Sends a notification to the caller on this connection. Never throws: if the connection is
    /// gone the notification is dropped, and the request's own answer reports the outcome.
    public func notify(_ method: String, params: some Encodable & Sendable) async {
        await sendNotification(RPCNotification(method: method, params: params))
    }
}

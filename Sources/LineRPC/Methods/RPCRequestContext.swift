import Logging

/// What a method handler knows about the call: who is calling, on which connection, and how to
/// send notifications back on that connection.
public struct RPCRequestContext: Sendable {
    /// A number unique to the connection within this server process, for logs.
    public let connectionID: UInt64
    /// The caller's identity from its TLS client certificate (subject common name), or `nil` without mutual TLS.
    public let principal: String?
    /// A logger carrying `connection` and `rpc.method` metadata.
    public let logger: Logger
    let sendNotification: @Sendable (RPCNotification) async -> Void

    public init(connectionID: UInt64, principal: String?, logger: Logger, sendNotification: @escaping @Sendable (RPCNotification) async -> Void) {
        self.connectionID = connectionID
        self.principal = principal
        self.logger = logger
        self.sendNotification = sendNotification
    }

    /// Sends a notification to the caller on this connection. Never throws: if the connection is
    /// gone the notification is dropped, and the request's own answer reports the outcome.
    public func notify(_ method: String, params: some Encodable & Sendable) async {
        await sendNotification(RPCNotification(method: method, params: params))
    }
}

import NIOCore
import NIOSSL

/// Where and how an ``RPCServer`` listens, and the limits it enforces on every connection.
/// Each limit and its default is documented in protocol.md, "Limits".
public struct RPCServerConfiguration: Sendable {
    /// Address to bind. Default `127.0.0.1`.
    public var host: String
    /// TCP port; `0` picks a free one (reported through `onListening`). Default 7443.
    public var port: Int
    /// TLS settings: certificate, key, minimum version and, for mutual TLS, the client trust roots.
    public var tls: TLSConfiguration
    /// Longest line accepted, in bytes, excluding the LF. Default 1 MiB (1,048,576).
    public var maximumLineBytes: Int
    /// Deepest JSON nesting accepted. Default 64.
    public var maximumJSONDepth: Int
    /// Most requests in one batch. Default 100.
    public var maximumBatchLength: Int
    /// Requests (a batch counts as one) running at once per connection; when reached the server
    /// stops reading that connection until one finishes. Default 16.
    public var maximumInFlightPerConnection: Int
    /// Open connections; a connection over the cap is closed at once. Default 256.
    public var maximumConnections: Int
    /// A connection with no bytes in or out for this long is closed. Default 600 s.
    public var idleTimeout: TimeAmount

    public init(
        host: String = "127.0.0.1",
        port: Int = 7443,
        tls: TLSConfiguration,
        maximumLineBytes: Int = 1 << 20,
        maximumJSONDepth: Int = 64,
        maximumBatchLength: Int = 100,
        maximumInFlightPerConnection: Int = 16,
        maximumConnections: Int = 256,
        idleTimeout: TimeAmount = .seconds(600)
    ) {
        self.host = host
        self.port = port
        self.tls = tls
        self.maximumLineBytes = maximumLineBytes
        self.maximumJSONDepth = maximumJSONDepth
        self.maximumBatchLength = maximumBatchLength
        self.maximumInFlightPerConnection = maximumInFlightPerConnection
        self.maximumConnections = maximumConnections
        self.idleTimeout = idleTimeout
    }
}

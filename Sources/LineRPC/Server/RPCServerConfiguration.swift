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
    /// A connection whose TLS handshake has not completed this long after it opened is closed. Default 10 s.
    public var handshakeTimeout: TimeAmount
    /// A line started but not ended (no LF) after this long gets `limit.line_seconds` and the connection is closed. Default 30 s.
    public var lineTimeout: TimeAmount
    /// An answer the client has not taken (it stopped reading) within this long closes the connection. Default 30 s.
    public var writeTimeout: TimeAmount

    public init(
        host: String = "127.0.0.1",
        port: Int = 7443,
        tls: TLSConfiguration,
        maximumLineBytes: Int = 1 << 20,
        maximumJSONDepth: Int = 64,
        maximumBatchLength: Int = 100,
        maximumInFlightPerConnection: Int = 16,
        maximumConnections: Int = 256,
        idleTimeout: TimeAmount = .seconds(600),
        handshakeTimeout: TimeAmount = .seconds(10),
        lineTimeout: TimeAmount = .seconds(30),
        writeTimeout: TimeAmount = .seconds(30)
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
        self.handshakeTimeout = handshakeTimeout
        self.lineTimeout = lineTimeout
        self.writeTimeout = writeTimeout
    }
}

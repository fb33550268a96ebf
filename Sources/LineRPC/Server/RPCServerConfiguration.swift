import AccessProtocol
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
    /// Longest line accepted before the connection has an identity. Default 64 KiB (65,536):
    /// an `authenticate` line is about 120 bytes.
    public var maximumUnauthenticatedLineBytes: Int
    /// Deepest JSON nesting accepted. Default 64.
    public var maximumJSONDepth: Int
    /// Most JSON values (scalars, arrays, objects) in one line, counted before anything decodes it: the
    /// cost of decoding grows with them, not with bytes. Default 10,000 (a batch of 100 requests holds about 1,000).
    public var maximumJSONValues: Int
    /// The same before the connection has an identity. Default 256 (`authenticate` holds 6, a batch of 10 pings 41).
    public var maximumUnauthenticatedJSONValues: Int
    /// Most requests in one batch. Default 100.
    public var maximumBatchLength: Int
    /// The same before the connection has an identity. Default 10.
    public var maximumUnauthenticatedBatchLength: Int
    /// Lines (blank ones included) the server reads per second from a connection without an identity,
    /// in bursts of as many; faster senders wait (TCP back-pressure). Default 10. Bounds the work an
    /// unauthenticated client can make the server do, whatever it sends.
    public var maximumUnauthenticatedLinesPerSecond: Int
    /// Requests (a batch counts as one) running at once per connection; when reached the server
    /// stops reading that connection until one finishes. Immediate methods (`ping`) are answered as
    /// they are read and never count. Default 16 (`serve --max-in-flight`).
    public var maximumInFlightPerConnection: Int
    /// The same before the connection has an identity. Default 1.
    public var maximumUnauthenticatedInFlight: Int
    /// Longest answer line, in bytes (LF included). A single answer over it is replaced by a
    /// `limit.answer_bytes` error (the request ran); a batch stops running its elements once its
    /// answers reach it. Default 4 MiB (4,194,304).
    public var maximumAnswerBytes: Int
    /// The same before the connection has an identity. Default 16 KiB (16,384).
    public var maximumUnauthenticatedAnswerBytes: Int
    /// Answer bytes one connection may have encoded but not yet taken; at or over it the server
    /// reads no further request from that connection. Default 4 MiB (4,194,304), one answer line:
    /// the plaintext of an answer and its TLS records both stay in memory until the client takes them.
    public var maximumQueuedBytesPerConnection: Int
    /// The same before the connection has an identity. Default 16 KiB (16,384), one answer line there.
    public var maximumUnauthenticatedQueuedBytes: Int
    /// Answer bytes all connections together may have encoded but not yet taken; at or over it no
    /// connection starts a new request. Default 64 MiB (67,108,864).
    public var maximumQueuedBytes: Int
    /// Open connections. A new connection over the cap closes a connection that has no identity yet
    /// (it gets `limit.connections`) to make room: one silent for longer than ``silentConnectionGrace``
    /// first, then the oldest; when every connection has an identity, the new one gets
    /// `limit.connections` and is closed. Default 256.
    public var maximumConnections: Int
    /// How long a connection may stay connected without sending a line before it is the first to make
    /// room at the connection limit. Default 1 s: a client sends its first line right after TLS.
    public var silentConnectionGrace: Duration
    /// A connection with no bytes in or out for this long is closed. Default 600 s.
    public var idleTimeout: TimeAmount
    /// A connection whose TLS handshake has not completed this long after it opened is closed. Default 10 s.
    public var handshakeTimeout: TimeAmount
    /// A line started but not ended (no LF) after this long gets `limit.line_seconds` and the connection is closed. Default 30 s.
    public var lineTimeout: TimeAmount
    /// An answer the client has not taken (it stopped reading) within this long of being written closes the connection. Default 30 s.
    public var writeTimeout: TimeAmount
    /// Threads that run bulk methods (``RPCMethodTable/Method/bulk``), first in, first out across all
    /// connections. Default: one fewer than the cores (at least 1), so small requests always keep a core.
    public var bulkWorkThreads: Int

    /// The limits that apply to a connection with or without an identity.
    /// The limits published by `ping` (protocol.md §7).
    public var limits: ServerLimits {
        ServerLimits(authenticated: connectionLimits(authenticated: true), unauthenticated: connectionLimits(authenticated: false),
                     jsonDepth: maximumJSONDepth, connections: maximumConnections)
    }

    /// The limits of the default configuration.
    public static let defaultLimits = RPCServerConfiguration(tls: .makeClientConfiguration()).limits

    /// The limits one connection is under at a given moment: those before authentication are lower.
    func connectionLimits(authenticated: Bool) -> ConnectionLimits {
        authenticated
            ? ConnectionLimits(lineBytes: maximumLineBytes, batchLength: maximumBatchLength, jsonValues: maximumJSONValues, linesPerSecond: nil,
                               inFlight: maximumInFlightPerConnection, answerBytes: maximumAnswerBytes,
                               queuedBytes: maximumQueuedBytesPerConnection)
            : ConnectionLimits(lineBytes: min(maximumUnauthenticatedLineBytes, maximumLineBytes),
                               batchLength: min(maximumUnauthenticatedBatchLength, maximumBatchLength),
                               jsonValues: min(maximumUnauthenticatedJSONValues, maximumJSONValues),
                               linesPerSecond: maximumUnauthenticatedLinesPerSecond,
                               inFlight: maximumUnauthenticatedInFlight, answerBytes: maximumUnauthenticatedAnswerBytes,
                               queuedBytes: maximumUnauthenticatedQueuedBytes)
    }

    public init(
        host: String = "127.0.0.1",
        port: Int = 7443,
        tls: TLSConfiguration,
        maximumLineBytes: Int = 1 << 20,
        maximumJSONDepth: Int = 64,
        maximumJSONValues: Int = 10_000,
        maximumUnauthenticatedJSONValues: Int = 256,
        maximumBatchLength: Int = 100,
        maximumUnauthenticatedBatchLength: Int = 10,
        maximumUnauthenticatedLinesPerSecond: Int = 10,
        maximumUnauthenticatedLineBytes: Int = 64 << 10,
        maximumInFlightPerConnection: Int = 16,
        maximumUnauthenticatedInFlight: Int = 1,
        maximumAnswerBytes: Int = 4 << 20,
        maximumUnauthenticatedAnswerBytes: Int = 16 << 10,
        maximumQueuedBytesPerConnection: Int = 4 << 20,
        maximumUnauthenticatedQueuedBytes: Int = 16 << 10,
        maximumQueuedBytes: Int = 64 << 20,
        maximumConnections: Int = 256,
        silentConnectionGrace: Duration = .seconds(1),
        idleTimeout: TimeAmount = .seconds(600),
        handshakeTimeout: TimeAmount = .seconds(10),
        lineTimeout: TimeAmount = .seconds(30),
        writeTimeout: TimeAmount = .seconds(30),
        bulkWorkThreads: Int = max(1, System.coreCount - 1)
    ) {
        self.host = host
        self.port = port
        self.tls = tls
        self.maximumLineBytes = maximumLineBytes
        self.maximumJSONDepth = maximumJSONDepth
        self.maximumJSONValues = maximumJSONValues
        self.maximumUnauthenticatedJSONValues = maximumUnauthenticatedJSONValues
        self.maximumBatchLength = maximumBatchLength
        self.maximumUnauthenticatedBatchLength = maximumUnauthenticatedBatchLength
        self.maximumUnauthenticatedLinesPerSecond = maximumUnauthenticatedLinesPerSecond
        self.maximumUnauthenticatedLineBytes = maximumUnauthenticatedLineBytes
        self.maximumInFlightPerConnection = maximumInFlightPerConnection
        self.maximumUnauthenticatedInFlight = maximumUnauthenticatedInFlight
        self.maximumAnswerBytes = maximumAnswerBytes
        self.maximumUnauthenticatedAnswerBytes = maximumUnauthenticatedAnswerBytes
        self.maximumQueuedBytesPerConnection = maximumQueuedBytesPerConnection
        self.maximumUnauthenticatedQueuedBytes = maximumUnauthenticatedQueuedBytes
        self.maximumQueuedBytes = maximumQueuedBytes
        self.maximumConnections = maximumConnections
        self.silentConnectionGrace = silentConnectionGrace
        self.idleTimeout = idleTimeout
        self.handshakeTimeout = handshakeTimeout
        self.lineTimeout = lineTimeout
        self.writeTimeout = writeTimeout
        self.bulkWorkThreads = bulkWorkThreads
    }
}

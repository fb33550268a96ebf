import AccessProtocol
import Foundation
import Logging
import NIOCore
import NIOPosix
import NIOSSL
import ServiceLifecycle
import Synchronization

/// A JSON-RPC 2.0 server over TLS, one message per line.
///
/// Each connection is served on its event loop (``RPCConnectionHandler``): lines are started in order;
/// immediate methods (`ping`) are answered there at once, and up to `maximumInFlightPerConnection`
/// other requests run at once in the connection's task (``RPCConnection``), so answers may come back
/// in a different order than the requests (match them by id). A request for an exclusive method runs alone.
/// Memory is bounded per connection and for the server (``RPCServerConfiguration``): a connection
/// over its bounds is not read until its answers have been taken.
///
/// On graceful shutdown (SIGTERM/SIGINT through a `ServiceGroup`) it closes the listening socket,
/// answers every connection that was accepted meanwhile with `server.shutting_down`, stops reading
/// the open connections, lets in-flight requests finish and answer, then closes every connection.
public final class RPCServer: Service {
    private let configuration: RPCServerConfiguration
    private let dispatcher: RPCDispatcher
    private let logger: Logger
    private let onListening: @Sendable (SocketAddress) -> Void
    private let identify: @Sendable (_ certificateCommonName: String?) -> RPCIdentity?
    private let connections = ConnectionRegistry()
    /// Answer bytes encoded and not yet taken, over all connections.
    private let queuedAnswers = ByteBudget()
    private let connectionCounter = Atomic<UInt64>(0)
    private let draining = Atomic<Bool>(false)

    /// - Parameters:
    ///   - identify: gives a connection its starting identity from its client certificate's subject
    ///     common name (`nil` without mutual TLS); return `nil` to leave it unauthenticated.
    ///   - onListening: called once with the bound address, before the first connection is accepted.
    public init(configuration: RPCServerConfiguration, methods: RPCMethodTable, logger: Logger,
                identify: @escaping @Sendable (_ certificateCommonName: String?) -> RPCIdentity? = { _ in nil },
                onListening: @escaping @Sendable (SocketAddress) -> Void = { _ in }) {
        self.identify = identify
        self.configuration = configuration
        self.dispatcher = RPCDispatcher(methods: methods)
        self.logger = logger
        self.onListening = onListening
    }

    /// Connections open now (the ones being refused not counted).
    public var openConnectionCount: Int { connections.count }

    /// Answer bytes encoded and not yet taken by their clients, over all connections.
    public var queuedAnswerBytes: Int { queuedAnswers.used }

    /// `true` once graceful shutdown began: the listener is closed and in-flight calls drain.
    public var isDraining: Bool { draining.load(ordering: .relaxed) }

    /// The highest ``queuedAnswerBytes`` since the server started.
    public var peakQueuedAnswerBytes: Int { queuedAnswers.peak }

    /// Binds, serves until graceful shutdown, then drains. Throws if the TLS files are unusable or the address cannot be bound.
    public func run() async throws {
        let sslContext = try NIOSSLContext(configuration: configuration.tls)
        let server: NIOAsyncChannel<AcceptedConnection, Never>
        do {
            server = try await bind(sslContext: sslContext)
        } catch {
            throw RPCServerError.cannotListen(host: configuration.host, port: configuration.port, reason: Self.reason(error))
        }
        if let address = server.channel.localAddress {
            logger.info("listening", metadata: ["address": "\(address.logDescription)"])
            onListening(address)
        }
        let bulkWork = BulkWorkExecutor(threads: configuration.bulkWorkThreads)
        do {
            try await acceptConnections(from: server, bulkWork: bulkWork)
        } catch {
            await bulkWork.shutdown()
            throw error
        }
        // Every connection has ended by now (the task group waited for them all).
        await bulkWork.shutdown()
        logger.info("stopped")
    }

    /// Accepts and serves connections until graceful shutdown, then until the connections accepted have ended.
    private func acceptConnections(from server: NIOAsyncChannel<AcceptedConnection, Never>, bulkWork: BulkWorkExecutor) async throws {
        let listener = server.channel
        try await server.executeThenClose { accepted, _ in
            await withDiscardingTaskGroup { group in
                // Every accepted channel is served or refused, never dropped: a `NIOAsyncChannel` that
                // is released without `executeThenClose` traps. So on shutdown the listener is closed
                // and the loop runs on until the channels accepted meanwhile have all come out.
                await withGracefulShutdownHandler {
                    do {
                        for try await connection in accepted {
                            group.addTask { await self.serve(connection, bulkWork: bulkWork) }
                        }
                    } catch {
                        logger.error("accept loop ended", metadata: ["error": "\(error)"])
                    }
                } onGracefulShutdown: {
                    self.draining.store(true, ordering: .sequentiallyConsistent)
                    listener.close(promise: nil)
                }
                logger.info("stopped accepting; draining connections")
            }
        }
    }

    private func bind(sslContext: NIOSSLContext) async throws -> NIOAsyncChannel<AcceptedConnection, Never> {
        let configuration = self.configuration
        let identify = self.identify
        let dispatcher = self.dispatcher
        let queuedAnswers = self.queuedAnswers
        let baseLogger = self.logger
        return try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.allowRemoteHalfClosure, value: true)
            // At most one 16 KiB read (one TLS record) per wake-up: the lines a connection has read
            // but not yet run stay few, and so does the memory they pin, however much its client sends.
            .childChannelOption(.maxMessagesPerRead, value: 1)
            .childChannelOption(.recvAllocator, value: AdaptiveRecvByteBufferAllocator(minimum: 64, initial: 2048, maximum: 16 << 10))
            .bind(host: configuration.host, port: configuration.port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    let pipeline = channel.pipeline.syncOperations
                    let lineLimit = LineLengthLimit(configuration.connectionLimits(authenticated: false).lineBytes)
                    let session = RPCSession(certificateCommonName: nil, identity: nil)
                    // The connection's logger, built once: every line of it names the connection and its peer.
                    let id = self.connectionCounter.add(1, ordering: .relaxed).newValue
                    var logger = baseLogger
                    logger[metadataKey: "connection"] = "\(id)"
                    logger[metadataKey: "remote"] = "\(channel.remoteAddress?.logDescription ?? "-")"
                    let handshakeFailures = HandshakeFailureReporter(logger: logger)
                    try pipeline.addHandler(try NIOSSLServerHandler(context: sslContext, verificationCallback: handshakeFailures.verificationCallback))
                    try pipeline.addHandler(PlaintextPacer())
                    try pipeline.addHandler(CertificateIdentifier(
                        session: session, lineLimit: lineLimit,
                        authenticatedLineBytes: configuration.connectionLimits(authenticated: true).lineBytes, identify: identify,
                        handshakeFailures: handshakeFailures))
                    try pipeline.addHandler(IdleStateHandler(allTimeout: configuration.idleTimeout))
                    try pipeline.addHandler(IdleConnectionCloser(session: session))
                    try pipeline.addHandler(ConnectionDeadlineHandler(handshakeTimeout: configuration.handshakeTimeout, lineTimeout: configuration.lineTimeout))
                    try pipeline.addHandler(ByteToMessageHandler(LineFrameDecoder(limit: lineLimit)))
                    let handler = RPCConnectionHandler(session: session, configuration: configuration, dispatcher: dispatcher,
                                                       lineLimit: lineLimit, serverQueue: queuedAnswers, logger: logger)
                    try pipeline.addHandler(handler)
                    return AcceptedConnection(id: id, channel: channel, session: session, logger: logger,
                                              handler: NIOLoopBound(handler, eventLoop: channel.eventLoop), queue: handler.queue)
                }
            }
    }

    private static func reason(_ error: any Error) -> String {
        if let io = error as? IOError { return "\(io.errnoCode == EADDRINUSE ? "the address is already in use" : io.description)" }
        return "\(error)"
    }

    private func serve(_ accepted: AcceptedConnection, bulkWork: BulkWorkExecutor) async {
        let (id, channel, logger) = (accepted.id, accepted.channel, accepted.logger)
        defer { channel.close(promise: nil) }
        if draining.load(ordering: .sequentiallyConsistent) {
            logger.info("connection refused: the server is shutting down")
            await Self.refuse(channel, with: .shuttingDown())
            return
        }
        let session = accepted.session
        switch connections.admit(id, channel: channel, session: session, limit: configuration.maximumConnections,
                                 silentGrace: configuration.silentConnectionGrace) {
        case .refused:
            logger.warning("connection refused: over the connection limit", metadata: ["limit": "\(configuration.maximumConnections)"])
            await Self.refuse(channel, with: .connectionLimit(configuration.maximumConnections, evicted: false))
            return
        case .admittedEvicting(let evicted):
            logger.warning("at the connection limit: closed an idle unauthenticated connection", metadata: ["limit": "\(configuration.maximumConnections)"])
            Self.evict(evicted, with: .connectionLimit(configuration.maximumConnections, evicted: true))
        case .admitted:
            break
        }
        defer { connections.remove(id) }
        let connection = RPCConnection(
            id: id, channel: channel, handler: accepted.handler, session: session, configuration: configuration, dispatcher: dispatcher,
            logger: logger, queue: accepted.queue, serverQueue: queuedAnswers, bulkWork: bulkWork)
        await connection.run()
    }

    /// Sends `error` as the only line of a connection that will not be served, and returns once it
    /// was written (after the TLS handshake) or the connection closed (the handshake deadline).
    private static func refuse(_ channel: any Channel, with error: RPCError) async {
        guard let line = try? AnswerLine.line(RPCResponse(id: .null, outcome: .error(error))) else { return }
        try? await channel.writeAndFlush(line)
    }

    /// Sends `error` to a connection being closed to make room, then closes it (within 1 s even if
    /// the peer never completes its TLS handshake).
    private static func evict(_ channel: any Channel, with error: RPCError) {
        channel.eventLoop.scheduleTask(in: .seconds(1)) { channel.close(promise: nil) }
        guard let line = try? AnswerLine.line(RPCResponse(id: .null, outcome: .error(error))) else {
            channel.close(promise: nil)
            return
        }
        channel.writeAndFlush(line).whenComplete { _ in channel.close(promise: nil) }
    }
}

/// A connection the listener accepted: its number, its session (given its certificate identity at the
/// end of the TLS handshake), its logger and the handler that serves it on its event loop.
struct AcceptedConnection: Sendable {
    let id: UInt64
    let channel: any Channel
    let session: RPCSession
    let logger: Logger
    let handler: NIOLoopBound<RPCConnectionHandler>
    /// The connection's answer bytes not yet taken (the handler's).
    let queue: ByteBudget
}

extension RPCError {
    /// `-32000 limit.connections`: the server is at its connection limit.
    static func connectionLimit(_ limit: Int, evicted: Bool) -> RPCError {
        .limitExceeded(
            evicted
                ? "The server is at its limit of \(limit) connections and closed this connection, which had no identity yet, to make room; authenticate soon after connecting"
                : "The server has \(limit) connections open, its limit; retry later",
            name: "limit.connections", details: ["maximumConnections": .integer(Int64(limit))])
    }

    /// `-32000 server.shutting_down`: the connection arrived while the server drains; connect to another server or retry.
    static func shuttingDown() -> RPCError {
        .limitExceeded("The server is shutting down and takes no new connections; retry in a moment", name: "server.shutting_down")
    }

    /// `-32000 server.shutting_down` for a call still running when the drain limit ended it.
    static func cutOffByShutdown() -> RPCError {
        .limitExceeded("The server shut down before this call finished (its drain limit passed); the call may have been partly done: check its effects before you retry it",
                       name: "server.shutting_down", details: ["cutOff": .bool(true)])
    }
}

/// The server could not start.
public enum RPCServerError: Error, Sendable, CustomStringConvertible {
    /// Binding `host:port` failed (in use, not a local address, no permission).
    case cannotListen(host: String, port: Int, reason: String)

    public var description: String {
        switch self {
        case .cannotListen(let host, let port, let reason): "cannot listen on \(host):\(port): \(reason)"
        }
    }
}

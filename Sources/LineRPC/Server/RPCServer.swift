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
/// other requests per connection run at once, each in a task of the server's ``RPCRequestRunner``, so
/// answers may come back in a different order than the requests (match them by id). A request for an
/// exclusive method runs alone. A connection with no request in flight holds no task.
/// Memory is bounded per connection and for the server (``RPCServerConfiguration``): a connection
/// over its bounds is not read until its answers have been taken.
///
/// On graceful shutdown (SIGTERM/SIGINT through a `ServiceGroup`) it closes the listening socket,
/// answers every connection that was accepted meanwhile with `server.shutting_down`, stops reading
/// the open connections, lets in-flight requests finish and answer, closes each connection once it
/// has, and returns when every connection has closed.
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
    /// Set while ``run()`` runs.
    private let runner = Mutex<RPCRequestRunner?>(nil)

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

    /// Tasks running requests now, over all connections (none for a connection with no request in
    /// flight); `0` before ``run()`` has started.
    public var requestTaskCount: Int { runner.withLock { $0?.runningTasks ?? 0 } }

    /// Answer bytes encoded and not yet taken by their clients, over all connections.
    public var queuedAnswerBytes: Int { queuedAnswers.used }

    /// `true` once graceful shutdown began: the listener is closed and in-flight calls drain.
    public var isDraining: Bool { connections.isDraining }

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
        let runner = RPCRequestRunner(configuration: configuration, dispatcher: dispatcher, serverQueue: queuedAnswers, bulkWork: bulkWork)
        self.runner.withLock { $0 = runner }
        do {
            try await acceptConnections(from: server, runner: runner)
        } catch {
            await bulkWork.shutdown()
            throw error
        }
        // Every connection has closed and every request task has ended by now.
        await bulkWork.shutdown()
        logger.info("stopped")
    }

    /// Accepts and serves connections until graceful shutdown, then until the connections accepted have closed.
    private func acceptConnections(from server: NIOAsyncChannel<AcceptedConnection, Never>, runner: RPCRequestRunner) async throws {
        let listener = server.channel
        let (jobs, jobQueue) = AsyncStream.makeStream(of: RPCConnectionHandler.Job.self)
        try await server.executeThenClose { accepted, _ in
            await withDiscardingTaskGroup { group in
                group.addTask {
                    await runner.run(jobs)
                    // Cancelled (the drain limit passed): the requests running have answered; a
                    // connection still open (a job queued but not taken, an answer not yet taken by
                    // its client) is closed now.
                    if Task.isCancelled { self.connections.closeAll() }
                }
                // Every accepted channel is served or refused, never dropped, so on shutdown the
                // listener is closed and the loop runs on until the channels accepted meanwhile have
                // all come out.
                await withGracefulShutdownHandler {
                    do {
                        for try await connection in accepted {
                            self.accept(connection, jobs: jobQueue)
                        }
                    } catch {
                        logger.error("accept loop ended", metadata: ["error": "\(error)"])
                    }
                } onGracefulShutdown: {
                    self.startDraining(listener: listener)
                }
                // Cancelled without a graceful shutdown first: drain all the same.
                if Task.isCancelled { startDraining(listener: listener) }
                connections.acceptingEnded()
                logger.info("stopped accepting; draining connections")
                await connections.waitUntilAllClosed()
                // No connection is left to hand over a job: the runner ends once its tasks have.
                jobQueue.finish()
            }
        }
    }

    /// Closes the listener, refuses the connections accepted from now on and tells each admitted
    /// connection to start no further line.
    private func startDraining(listener: any Channel) {
        connections.startDraining()
        listener.close(promise: nil)
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
                    // Recorded now, not when the accept loop takes it: a channel accepted as the listener
                    // closes may never come out of the loop, and must not be left open.
                    guard self.connections.opened(id, channel: channel) else { throw ChannelError.ioOnClosedChannel }
                    let handshakeFailures = HandshakeFailureReporter(logger: logger)
                    try pipeline.addHandler(try NIOSSLServerHandler(context: sslContext, verificationCallback: handshakeFailures.verificationCallback))
                    try pipeline.addHandler(PlaintextPacer())
                    try pipeline.addHandler(CertificateIdentifier(
                        session: session, lineLimit: lineLimit,
                        authenticatedLineBytes: configuration.connectionLimits(authenticated: true).lineBytes, identify: identify,
                        handshakeFailures: handshakeFailures))
                    try pipeline.addHandler(IdleConnectionCloser(timeout: configuration.idleTimeout, activity: .readsAndWrites, session: session))
                    try pipeline.addHandler(ConnectionDeadlineHandler(handshakeTimeout: configuration.handshakeTimeout, lineTimeout: configuration.lineTimeout))
                    try pipeline.addHandler(ByteToMessageHandler(LineFrameDecoder(limit: lineLimit)))
                    let handler = RPCConnectionHandler(connectionID: id, session: session, configuration: configuration, dispatcher: dispatcher,
                                                       lineLimit: lineLimit, serverQueue: queuedAnswers, logger: logger)
                    try pipeline.addHandler(handler)
                    return AcceptedConnection(id: id, channel: channel, session: session, logger: logger,
                                              handler: NIOLoopBound(handler, eventLoop: channel.eventLoop))
                }
            }
    }

    private static func reason(_ error: any Error) -> String {
        if let io = error as? IOError { return "\(io.errnoCode == EADDRINUSE ? "the address is already in use" : io.description)" }
        return "\(error)"
    }

    /// Admits `accepted` (or refuses it: the server drains, or is at its connection limit with no
    /// connection to evict) and lets its handler start serving lines, which go to `jobs` when they
    /// need a task. The registry keeps the connection until its channel closes.
    private func accept(_ accepted: AcceptedConnection, jobs: AsyncStream<RPCConnectionHandler.Job>.Continuation) {
        let (id, channel, logger) = (accepted.id, accepted.channel, accepted.logger)
        let limit = configuration.maximumConnections
        switch connections.admit(id, channel: channel, session: accepted.session, handler: accepted.handler, limit: limit,
                                 silentGrace: configuration.silentConnectionGrace) {
        case .draining:
            logger.info("connection refused: the server is shutting down")
            Self.refuse(channel, with: .shuttingDown())
            return
        case .refused:
            logger.warning("connection refused: over the connection limit", metadata: ["limit": "\(limit)"])
            Self.refuse(channel, with: .connectionLimit(limit, evicted: false))
            return
        case .admittedEvicting(let evicted):
            logger.warning("at the connection limit: closed an idle unauthenticated connection", metadata: ["limit": "\(limit)"])
            Self.evict(evicted, with: .connectionLimit(limit, evicted: true))
        case .admitted:
            break
        }
        let handler = accepted.handler
        handler.eventLoop.execute { handler.value.start(jobs: jobs) }
    }

    /// Sends `error` as the only line of a connection that will not be served, then closes it: once
    /// the line was written (after the TLS handshake) or failed to be (the handshake deadline closed it).
    private static func refuse(_ channel: any Channel, with error: RPCError) {
        guard let line = try? AnswerLine.line(RPCResponse(id: .null, outcome: .error(error))) else {
            channel.close(promise: nil)
            return
        }
        channel.writeAndFlush(line).whenComplete { _ in channel.close(promise: nil) }
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

import Foundation
import Logging
import NIOCore
import NIOPosix
import NIOSSL
import ServiceLifecycle
import Synchronization

/// A JSON-RPC 2.0 server over TLS, one message per line.
///
/// Each connection runs in its own task: lines are read in order, and up to
/// `maximumInFlightPerConnection` requests run at once, so answers may come back in a different
/// order than the requests (match them by id). A request for an exclusive method runs alone. On graceful shutdown (SIGTERM/SIGINT through a
/// `ServiceGroup`) it stops accepting and stops reading, lets in-flight requests finish and
/// answer, then closes every connection.
public final class RPCServer: Service {
    private let configuration: RPCServerConfiguration
    private let dispatcher: RPCDispatcher
    private let parser: RPCMessageParser
    private let logger: Logger
    private let onListening: @Sendable (SocketAddress) -> Void
    private let identify: @Sendable (_ certificateCommonName: String?) -> RPCIdentity?
    private let openConnections = Atomic<Int>(0)
    private let connectionCounter = Atomic<UInt64>(0)

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
        self.parser = RPCMessageParser(maximumJSONDepth: configuration.maximumJSONDepth, maximumBatchLength: configuration.maximumBatchLength)
        self.logger = logger
        self.onListening = onListening
    }

    /// Binds, serves until graceful shutdown, then drains. Throws if the TLS files are unusable or the address cannot be bound.
    public func run() async throws {
        let sslContext = try NIOSSLContext(configuration: configuration.tls)
        let configuration = self.configuration
        let server: NIOAsyncChannel<NIOAsyncChannel<LineFrame, ByteBuffer>, Never>
        do {
            server = try await bind(sslContext: sslContext)
        } catch {
            throw RPCServerError.cannotListen(host: configuration.host, port: configuration.port, reason: Self.reason(error))
        }
        if let address = server.channel.localAddress {
            logger.info("listening", metadata: ["address": "\(address)"])
            onListening(address)
        }
        try await server.executeThenClose { connections in
            await withDiscardingTaskGroup { group in
                do {
                    for try await connection in connections.cancelOnGracefulShutdown() {
                        group.addTask { await self.serve(connection) }
                    }
                } catch {
                    logger.error("accept loop ended", metadata: ["error": "\(error)"])
                }
                logger.info("stopped accepting; draining connections")
            }
        }
        logger.info("stopped")
    }

    private func bind(sslContext: NIOSSLContext) async throws -> NIOAsyncChannel<NIOAsyncChannel<LineFrame, ByteBuffer>, Never> {
        let configuration = self.configuration
        return try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.allowRemoteHalfClosure, value: true)
            .bind(host: configuration.host, port: configuration.port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    let pipeline = channel.pipeline.syncOperations
                    try pipeline.addHandler(NIOSSLServerHandler(context: sslContext))
                    try pipeline.addHandler(IdleStateHandler(allTimeout: configuration.idleTimeout))
                    try pipeline.addHandler(IdleConnectionCloser())
                    try pipeline.addHandler(ConnectionDeadlineHandler(handshakeTimeout: configuration.handshakeTimeout, lineTimeout: configuration.lineTimeout))
                    try pipeline.addHandler(ByteToMessageHandler(LineFrameDecoder(maximumLineBytes: configuration.maximumLineBytes)))
                    return try NIOAsyncChannel<LineFrame, ByteBuffer>(
                        wrappingChannelSynchronously: channel,
                        configuration: .init(isOutboundHalfClosureEnabled: true))
                }
            }
    }

    private static func reason(_ error: any Error) -> String {
        if let io = error as? IOError { return "\(io.errnoCode == EADDRINUSE ? "the address is already in use" : io.description)" }
        return "\(error)"
    }

    private func serve(_ connection: NIOAsyncChannel<LineFrame, ByteBuffer>) async {
        let id = connectionCounter.add(1, ordering: .relaxed).newValue
        var logger = self.logger
        logger[metadataKey: "connection"] = "\(id)"
        let open = openConnections.add(1, ordering: .relaxed).newValue
        defer { openConnections.subtract(1, ordering: .relaxed) }
        guard open <= configuration.maximumConnections else {
            logger.warning("connection refused: over the connection limit", metadata: ["limit": "\(configuration.maximumConnections)"])
            let refusal = RPCResponse(id: .null, outcome: .error(.limitExceeded(
                "The server has \(configuration.maximumConnections) connections open, its limit; retry later",
                name: "limit.connections", details: ["maximumConnections": .integer(Int64(configuration.maximumConnections))])))
            // Written on the channel directly: its future completes only once the bytes are out,
            // after the TLS handshake, so the close that follows cannot cut the answer off.
            if let line = try? RPCLineWriter.line(refusal) {
                try? await connection.channel.writeAndFlush(line)
            }
            try? await connection.channel.close()
            return
        }
        do {
            try await connection.executeThenClose { inbound, outbound in
                let writer = RPCLineWriter(outbound: outbound, channel: connection.channel, timeout: configuration.writeTimeout)
                try await self.readRequests(inbound, channel: connection.channel, writer: writer, connectionID: id, logger: logger)
            }
        } catch {
            logger.debug("connection ended with an error", metadata: ["error": "\(error)"])
        }
    }

    private func readRequests(
        _ inbound: NIOAsyncChannelInboundStream<LineFrame>, channel: any Channel,
        writer: RPCLineWriter, connectionID: UInt64, logger: Logger
    ) async throws {
        var session: RPCSession?  // made once, after the handshake, when the first line arrives
        try await withThrowingTaskGroup(of: Void.self) { group in
            var inFlight = 0
            do {
                for try await frame in inbound.cancelOnGracefulShutdown() {
                    let message: RPCIncomingMessage
                    switch frame {
                    case .tooLong(let maximum):
                        message = .single(.invalid(id: .null, error: .invalidRequest(
                            "Line longer than \(maximum) bytes; it was discarded up to the next LF",
                            name: "limit.line_bytes", details: ["maximumLineBytes": .integer(Int64(maximum))])))
                    case .line(let bytes):
                        message = parser.parse(bytes)
                    }
                    if case .empty = message { continue }
                    if session == nil {
                        let commonName = await Self.certificateCommonName(of: channel)
                        session = RPCSession(certificateCommonName: commonName, identity: identify(commonName))
                    }
                    guard let session else { continue }
                    let context = RPCRequestContext(
                        connectionID: connectionID, session: session, logger: logger,
                        sendNotification: { notification in try? await writer.write(notification) })
                    if dispatcher.methods.isExclusive(message) {
                        // Alone: finish what runs, answer this, then read on.
                        while try await group.next() != nil {}
                        inFlight = 0
                        try await self.respond(to: message, context: context, writer: writer)
                        continue
                    }
                    if inFlight >= configuration.maximumInFlightPerConnection {
                        try await group.next()
                        inFlight -= 1
                    }
                    inFlight += 1
                    group.addTask { try await self.respond(to: message, context: context, writer: writer) }
                }
            } catch {
                // The peer went away or TLS failed; answers to requests already read are still attempted.
                logger.debug("read ended", metadata: ["error": "\(error)"])
            }
            try await group.waitForAll()
        }
    }

    private func respond(to message: RPCIncomingMessage, context: RPCRequestContext, writer: RPCLineWriter) async throws {
        switch message {
        case .empty:
            return
        case .single(let entry):
            guard let response = await dispatcher.answer(entry, context: context) else { return }
            try await write(response, with: writer, logger: context.logger)
        case .batch(let entries) where dispatcher.methods.isExclusive(message):
            // A batch holding an exclusive method (e.g. authenticate) runs in order, one element at a time.
            var responses: [RPCResponse] = []
            for entry in entries {
                if let response = await dispatcher.answer(entry, context: context) { responses.append(response) }
            }
            guard !responses.isEmpty else { return }
            try await writer.write(responses)
        case .batch(let entries):
            let responses = await withTaskGroup(of: (Int, RPCResponse?).self) { group in
                for (index, entry) in entries.enumerated() {
                    group.addTask { (index, await self.dispatcher.answer(entry, context: context)) }
                }
                var answers = [RPCResponse?](repeating: nil, count: entries.count)
                for await (index, response) in group { answers[index] = response }
                return answers.compactMap { $0 }
            }
            guard !responses.isEmpty else { return }
            do {
                try await writer.write(responses)
            } catch is EncodingError {
                try await writer.write(responses.map { Self.encodable($0, logger: context.logger) })
            }
        }
    }

    private func write(_ response: RPCResponse, with writer: RPCLineWriter, logger: Logger) async throws {
        do {
            try await writer.write(response)
        } catch is EncodingError {
            try await writer.write(Self.encodable(response, logger: logger))
        }
    }

    /// The response itself if it encodes, else an internal error for the same id.
    private static func encodable(_ response: RPCResponse, logger: Logger) -> RPCResponse {
        if (try? RPCLineWriter.line(response)) != nil { return response }
        logger.error("a result could not be encoded as JSON", metadata: ["id": "\(response.id)"])
        return RPCResponse(id: response.id, outcome: .error(.internalError("The result could not be encoded as JSON")))
    }

    /// The subject common name of the client certificate, when mutual TLS supplied one.
    private static func certificateCommonName(of channel: any Channel) async -> String? {
        guard let certificate = try? await channel.nioSSL_peerCertificate().get() else { return nil }
        return certificate.subjectName.last(where: { $0.type == .commonName })?.value
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

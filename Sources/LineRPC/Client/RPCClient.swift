import AccessProtocol
import Foundation
import NIOCore
import NIOFoundationCompat
import NIOPosix
import NIOSSL

/// Where an ``RPCClient`` connects and how.
public struct RPCClientConfiguration: Sendable {
    public var host: String
    public var port: Int
    public var tls: TLSConfiguration
    /// Name checked against the server certificate and sent as SNI; `nil` checks `host` when it is an IP address.
    public var serverHostname: String?
    /// How long to wait for the TCP connection. Default 10 s.
    public var connectTimeout: TimeAmount
    /// Longest answer line accepted, in bytes. Default 64 MiB.
    public var maximumLineBytes: Int
    /// How long the connection may stay silent while an answer is awaited before the client gives
    /// up with ``RPCClientError/connectionClosed(reason:)``. Default 600 s (long enough for a large `sync`).
    public var readTimeout: TimeAmount

    public init(host: String = "127.0.0.1", port: Int = 7443, tls: TLSConfiguration, serverHostname: String? = nil,
                connectTimeout: TimeAmount = .seconds(10), maximumLineBytes: Int = 64 << 20, readTimeout: TimeAmount = .seconds(600)) {
        self.host = host
        self.port = port
        self.tls = tls
        self.serverHostname = serverHostname
        self.connectTimeout = connectTimeout
        self.maximumLineBytes = maximumLineBytes
        self.readTimeout = readTimeout
    }
}

/// The client end of the protocol: one TLS connection, calls made one after another.
///
/// ```swift
/// let pong = try await RPCClient.withConnection(configuration) { client in
///     try await client.call("ping")
/// }
/// ```
public final class RPCClient {
    private var inbound: NIOAsyncChannelInboundStream<LineFrame>.AsyncIterator
    private let outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>
    private let tlsFailure: TLSFailureBox
    private var nextID: Int64 = 1

    private init(inbound: NIOAsyncChannelInboundStream<LineFrame>, outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>, tlsFailure: TLSFailureBox) {
        self.inbound = inbound.makeAsyncIterator()
        self.outbound = outbound
        self.tlsFailure = tlsFailure
    }

    /// ``wrap(_:)``, preferring a TLS error that closed the connection to the closed channel it left.
    private func wrap(_ error: any Error) -> RPCClientError {
        Self.wrap(tlsFailure.value ?? error)
    }

    /// Connects, runs `body` with the client, then closes the connection.
    /// - Throws: ``RPCClientError`` for connection and TLS failures, or whatever `body` throws.
    public static func withConnection<Result>(
        _ configuration: RPCClientConfiguration,
        _ body: (RPCClient) async throws -> Result
    ) async throws -> Result {
        let sslContext: NIOSSLContext
        do {
            sslContext = try NIOSSLContext(configuration: configuration.tls)
        } catch {
            throw RPCClientError.tlsFailed("\(error)")
        }
        let hostname = configuration.serverHostname ?? (Self.isIPAddress(configuration.host) ? nil : configuration.host)
        let tlsFailure = TLSFailureBox()
        let channel: NIOAsyncChannel<LineFrame, ByteBuffer>
        let handshake: EventLoopFuture<Void>
        do {
            (channel, handshake) = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connectTimeout(configuration.connectTimeout)
                .connect(host: configuration.host, port: configuration.port) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        let handshake = channel.eventLoop.makePromise(of: Void.self)
                        let pipeline = channel.pipeline.syncOperations
                        try pipeline.addHandler(NIOSSLClientHandler(context: sslContext, serverHostname: hostname))
                        try pipeline.addHandler(TLSHandshakeWaiter(handshake: handshake, laterFailure: tlsFailure))
                        try pipeline.addHandler(IdleConnectionCloser(timeout: configuration.readTimeout, activity: .reads))
                        try pipeline.addHandler(ByteToMessageHandler(LineFrameDecoder(maximumLineBytes: configuration.maximumLineBytes)))
                        return (try NIOAsyncChannel<LineFrame, ByteBuffer>(wrappingChannelSynchronously: channel), handshake.futureResult)
                    }
                }
        } catch {
            throw RPCClientError.connectionFailed(host: configuration.host, port: configuration.port, reason: Self.describe(error))
        }
        // Wait for our side of the TLS handshake, so that a certificate or host-name failure is reported
        // as such rather than as the closed channel the first write would meet.
        do {
            try await handshake.get()
        } catch {
            try? await channel.channel.close()
            throw Self.wrap(error)
        }
        return try await channel.executeThenClose { inbound, outbound in
            try await body(RPCClient(inbound: inbound, outbound: outbound, tlsFailure: tlsFailure))
        }
    }

    /// Sends a request and waits for its answer.
    /// - Parameters:
    ///   - params: an object (by name), or `nil` to send none.
    ///   - onNotification: called for each server notification that arrives before the answer.
    /// - Returns: the `result` member.
    /// - Throws: ``RPCError`` when the server answers with an error; ``RPCClientError`` otherwise.
    public func call(_ method: String, params: JSONValue? = nil,
                     onNotification: (String, JSONValue?) -> Void = { _, _ in }) async throws -> JSONValue {
        let id = nextID
        nextID += 1
        var request: [String: JSONValue] = ["jsonrpc": .string("2.0"), "id": .integer(id), "method": .string(method)]
        if let params { request["params"] = params }
        try await send(line: JSONValue.object(request))
        while true {
            let message = try await readMessage()
            if let notification = message["method"]?.stringValue, message["id"] == nil {
                onNotification(notification, message["params"])
                continue
            }
            guard message["jsonrpc"] == .string("2.0") else {
                throw RPCClientError.malformedResponse("missing \"jsonrpc\": \"2.0\"")
            }
            // Our answer carries our id. An error with id null answers a line the server could not
            // read; this client sends one request at a time, so that line was ours too.
            let isOurs = message["id"] == .integer(id) || (message["id"] == .null && message["error"] != nil)
            guard isOurs else { continue }
            if let error = message["error"] {
                let data = try JSONEncoder().encode(error)
                guard let decoded = try? JSONDecoder().decode(RPCError.self, from: data) else {
                    throw RPCClientError.malformedResponse("unreadable error object")
                }
                throw decoded
            }
            return message["result"] ?? .null
        }
    }

    /// Sends a request with typed params and decodes its result as `Result`, with the wire format's
    /// coders (dates as ISO 8601 UTC).
    /// - Throws: ``RPCError`` when the server answers with an error; ``RPCClientError/malformedResponse(_:)``
    ///   when the result does not have `Result`'s shape; ``RPCClientError`` otherwise.
    public func call<Params: Encodable, Result: Decodable>(
        _ method: String, params: Params, as type: Result.Type = Result.self,
        onNotification: (String, JSONValue?) -> Void = { _, _ in }
    ) async throws -> Result {
        let result = try await call(method, params: try JSONValue(encoding: params), onNotification: onNotification)
        return try RPCClientError.decoding(result, as: Result.self, answerTo: method)
    }

    /// Sends raw bytes as they are (no LF is added). For tests of framing and hostile input.
    public func sendRaw(_ bytes: [UInt8]) async throws {
        do {
            try await outbound.write(ByteBuffer(bytes: bytes))
        } catch {
            throw wrap(error)
        }
    }

    /// Reads the next line as JSON. Throws ``RPCClientError/connectionClosed`` at end of stream.
    public func readMessage() async throws -> JSONValue {
        let frame: LineFrame?
        do {
            frame = try await inbound.next()
        } catch {
            throw wrap(error)
        }
        switch frame {
        case nil:
            if let failure = tlsFailure.value { throw Self.wrap(failure) }
            throw RPCClientError.connectionClosed(reason: "the server closed it, or it was silent for the read timeout")
        case .tooLong(let maximum)?:
            throw RPCClientError.malformedResponse("an answer line is longer than \(maximum) bytes")
        case .line(let bytes)?:
            do {
                return try JSONDecoder().decode(JSONValue.self, from: bytes)
            } catch {
                throw RPCClientError.malformedResponse("not JSON: \(String(buffer: bytes).prefix(200))")
            }
        }
    }

    private func send(line value: JSONValue) async throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var buffer = try encoder.encodeAsByteBuffer(value, allocator: ByteBufferAllocator())
        buffer.writeInteger(UInt8(ascii: "\n"))
        do {
            try await outbound.write(buffer)
        } catch {
            throw wrap(error)
        }
    }

    /// Maps a channel error to ``RPCClientError``: TLS failures (handshake, certificate, host name) to
    /// ``RPCClientError/tlsFailed(_:)``, everything else to ``RPCClientError/connectionClosed(reason:)``.
    static func wrap(_ error: any Error) -> RPCClientError {
        if let clientError = error as? RPCClientError { return clientError }
        // A peer gone without TLS's close_notify (killed, crashed, cut off) after the handshake is a
        // closed connection, not a TLS refusal: the handshake had succeeded.
        if let sslError = error as? NIOSSLError, case .uncleanShutdown = sslError {
            return .connectionClosed(reason: "the server went away without ending the TLS session (it may have stopped or crashed)")
        }
        switch error {
        case is NIOSSLError, is BoringSSLError, is NIOSSLExtraError:
            return .tlsFailed(describe(error))
        default:
            return .connectionClosed(reason: describe(error))
        }
    }

    /// A one-line description without NIO's wrapper noise.
    static func describe(_ error: any Error) -> String {
        if let failure = error as? NIOConnectionError, let last = failure.connectionErrors.last {
            return describe(last.error)
        }
        // One sentence from the system's own words ("connection refused"), not NIO's wrapper text.
        if let io = error as? IOError { return String(cString: strerror(io.errnoCode)).lowercased() }
        return "\(error)"
    }

    private static func isIPAddress(_ host: String) -> Bool {
        (try? SocketAddress(ipAddress: host, port: 0)) != nil
    }
}

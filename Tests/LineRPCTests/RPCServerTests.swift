import AccessProtocol
import DevCertificates
import Foundation
import LineRPC
import Logging
import NIOCore
import NIOPosix
import NIOSSL
import ServiceLifecycle
import Synchronization
import TestSupport
import Testing

/// A real `RPCServer` on 127.0.0.1 with mutual TLS (or server-only TLS), driven by `RPCClient`.
/// Every client certificate maps to an admin; without mutual TLS every connection starts unauthenticated.
struct ServerFixture {
    let certificates: DevCertificates.Files
    let group: ServiceGroup
    let server: RPCServer
    let port: Int
    /// Requests of `echo` that ran.
    let echoes: RunCounter

    static func start(configure: (inout RPCMethodTable) -> Void = { _ in }, maximumLineBytes: Int = 4096, mutualTLS: Bool = true,
                      limits: (inout RPCServerConfiguration) -> Void = { _ in }) async throws -> (ServerFixture, Task<Void, any Error>) {
        let directory = (NSTemporaryDirectory() as NSString).appendingPathComponent("linerpc-\(UUID().uuidString.prefix(8))")
        let certificates = try DevCertificates.make(in: directory, clientName: "test-client")
        var table = RPCMethodTable()
        let echoes = RunCounter()
        table.register("echo", summary: "echo", access: .anyone, params: EchoParams.self) { context, params in
            echoes.increment()
            if let delay = params.delayMs { try await Task.sleep(for: .milliseconds(delay)) }
            if let repeatCount = params.repeatCount { return EchoResult(text: String(repeating: params.text, count: repeatCount), principal: nil) }
            if params.notify == true { await context.notify("echo.progress", params: ["text": params.text]) }
            return EchoResult(text: params.text, principal: context.identity?.principal)
        }
        configure(&table)
        let tls = try TLSSettings.server(certificateChain: certificates.serverCertificate, privateKey: certificates.serverKey, clientTrustRoots: mutualTLS ? certificates.caCertificate : nil)
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        var configuration = RPCServerConfiguration(host: "127.0.0.1", port: 0, tls: tls, maximumLineBytes: maximumLineBytes, maximumBatchLength: 5)
        limits(&configuration)
        let server = RPCServer(
            configuration: configuration,
            methods: table, logger: Logger(label: "test.server"),
            identify: { commonName in commonName.map { RPCIdentity(principal: "cert:\($0)", role: "admin") } }, onListening: { continuation.yield($0.port ?? 0) })
        let group = ServiceGroup(configuration: .init(services: [server], logger: Logger(label: "test.group")))
        // The certificates (keys included) go with the server: removed when its group has stopped.
        let task = Task {
            defer { try? FileManager.default.removeItem(atPath: directory) }
            try await group.run()
        }
        var iterator = ports.makeAsyncIterator()
        let port = try #require(await iterator.next())
        return (ServerFixture(certificates: certificates, group: group, server: server, port: port, echoes: echoes), task)
    }

    func clientConfiguration(withCertificate: Bool = true) throws -> RPCClientConfiguration {
        let tls = try TLSSettings.client(
            trustRoots: certificates.caCertificate,
            certificateChain: withCertificate ? certificates.clientCertificate : nil,
            privateKey: withCertificate ? certificates.clientKey : nil)
        return RPCClientConfiguration(host: "127.0.0.1", port: port, tls: tls)
    }
}

/// A count shared between a handler and the test.
final class RunCounter: Sendable {
    private let value = Atomic<Int>(0)
    func increment() { value.add(1, ordering: .relaxed) }
    var count: Int { value.load(ordering: .relaxed) }
}

private struct EchoParams: RPCParams {
    static let memberNames: Set<String> = ["text", "delayMs", "notify", "repeatCount"]
    var text: String
    var delayMs: Int?
    var notify: Bool?
    var repeatCount: Int?
}

private struct EchoResult: Codable, Sendable {
    var text: String
    var principal: String?
}

func line(_ text: String) -> [UInt8] { Array(text.utf8) + [0x0A] }

@Suite("RPC server over mutual TLS")
struct RPCServerTests {
    @Test("a call answers with the principal from the client certificate")
    func call() async throws {
        let (fixture, task) = try await ServerFixture.start()
        let result = try await RPCClient.withConnection(try fixture.clientConfiguration()) { client in
            try await client.call("echo", params: .object(["text": .string("hi")]))
        }
        #expect(result == .object(["text": .string("hi"), "principal": .string("cert:test-client")]))
        await fixture.group.triggerGracefulShutdown()
        try await task.value
    }

    @Test("pipelined requests run concurrently and answers carry their own ids")
    func pipelined() async throws {
        let (fixture, task) = try await ServerFixture.start()
        try await RPCClient.withConnection(try fixture.clientConfiguration()) { client in
            try await client.sendRaw(
                line(#"{"jsonrpc":"2.0","id":"slow","method":"echo","params":{"text":"slow","delayMs":1500}}"#)
                + line(#"{"jsonrpc":"2.0","id":"fast","method":"echo","params":{"text":"fast"}}"#))
            let first = try await client.readMessage()
            let second = try await client.readMessage()
            #expect(first["id"] == .string("fast"), "the fast request overtakes the slow one")
            #expect(second["id"] == .string("slow"))
            #expect(second["result"]?["text"] == .string("slow"))
        }
        await fixture.group.triggerGracefulShutdown()
        try await task.value
    }

    @Test("a batch is answered by one line in request order, without the notifications")
    func batch() async throws {
        let (fixture, task) = try await ServerFixture.start()
        try await RPCClient.withConnection(try fixture.clientConfiguration()) { client in
            try await client.sendRaw(line(#"[{"jsonrpc":"2.0","id":1,"method":"echo","params":{"text":"a","delayMs":100}},{"jsonrpc":"2.0","method":"echo","params":{"text":"n"}},{"jsonrpc":"2.0","id":2,"method":"nope"},{"jsonrpc":"2.0","id":3,"method":"echo","params":{"text":"c"}}]"#))
            let answer = try await client.readMessage()
            guard case .array(let answers) = answer else {
                Issue.record("expected an array, got \(answer)")
                return
            }
            #expect(answers.map { $0["id"] } == [.integer(1), .integer(2), .integer(3)])
            #expect(answers[1]["error"]?["code"] == .integer(-32601))
            // A batch of notifications only gets no answer: the next line is the ping's.
            try await client.sendRaw(line(#"[{"jsonrpc":"2.0","method":"echo","params":{"text":"x"}}]"#))
            let pong = try await client.call("echo", params: .object(["text": .string("after")]))
            #expect(pong["text"] == .string("after"))
        }
        await fixture.group.triggerGracefulShutdown()
        try await task.value
    }

    @Test("a notification from the handler arrives before the answer")
    func notifications() async throws {
        let (fixture, task) = try await ServerFixture.start()
        try await RPCClient.withConnection(try fixture.clientConfiguration()) { client in
            var seen: [String] = []
            let result = try await client.call("echo", params: .object(["text": .string("p"), "notify": .bool(true)])) { method, params in
                seen.append("\(method):\(params?["text"]?.stringValue ?? "")")
            }
            #expect(seen == ["echo.progress:p"])
            #expect(result["text"] == .string("p"))
        }
        await fixture.group.triggerGracefulShutdown()
        try await task.value
    }

    @Test("an oversize line, a split line and CRLF: the connection keeps serving")
    func framingOverTheWire() async throws {
        let (fixture, task) = try await ServerFixture.start(maximumLineBytes: 256)
        try await RPCClient.withConnection(try fixture.clientConfiguration()) { client in
            try await client.sendRaw(Array(repeating: UInt8(ascii: "a"), count: 1000))
            let refused = try await client.readMessage()
            #expect(refused["error"]?["data"]?["name"] == .string("limit.line_bytes"))
            #expect(refused["id"] == .null)
            try await client.sendRaw(Array("bbb\n".utf8))  // the rest of the oversize line is dropped silently
            let request = Array(#"{"jsonrpc":"2.0","id":"split","method":"echo","params":{"text":"é"}}"#.utf8) + [0x0D, 0x0A]
            for byte in request { try await client.sendRaw([byte]) }
            let answer = try await client.readMessage()
            #expect(answer["id"] == .string("split"))
            #expect(answer["result"]?["text"] == .string("é"))
        }
        await fixture.group.triggerGracefulShutdown()
        try await task.value
    }

    @Test("a client without a certificate fails the handshake")
    func mutualTLS() async throws {
        let (fixture, task) = try await ServerFixture.start()
        await #expect(throws: RPCClientError.self) {
            try await RPCClient.withConnection(try fixture.clientConfiguration(withCertificate: false)) { client in
                try await client.call("echo", params: .object(["text": .string("x")]))
            }
        }
        await fixture.group.triggerGracefulShutdown()
        try await task.value
    }

    @Test("graceful shutdown lets an in-flight call finish and answer")
    func drain() async throws {
        let (fixture, task) = try await ServerFixture.start()
        try await RPCClient.withConnection(try fixture.clientConfiguration()) { client in
            try await client.sendRaw(line(#"{"jsonrpc":"2.0","id":7,"method":"echo","params":{"text":"late","delayMs":400}}"#))
            // The event: the call is running (a line not yet read when the drain starts gets no answer).
            #expect(await eventually { fixture.echoes.count == 1 })
            await fixture.group.triggerGracefulShutdown()
            let answer = try await client.readMessage()
            #expect(answer["id"] == .integer(7))
            #expect(answer["result"]?["text"] == .string("late"))
            await #expect(throws: RPCClientError.self) { try await client.readMessage() }
        }
        try await task.value
    }

    @Test("a TCP connection that never starts the TLS handshake is closed after the handshake timeout")
    func handshakeTimeout() async throws {
        // The idle timeout is far beyond the bound, so only the handshake timeout can close the connection in time.
        let (fixture, task) = try await ServerFixture.start(limits: {
            $0.handshakeTimeout = .milliseconds(300)
            $0.idleTimeout = .seconds(600)
        })
        let started = ContinuousClock.now
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton).connect(host: "127.0.0.1", port: fixture.port).get()
        try await channel.closeFuture.get()
        // Generous for a loaded machine (it took 6.7 s with three builds and the tests running at once).
        #expect(ContinuousClock.now - started < .seconds(60))
        await fixture.group.triggerGracefulShutdown()
        try await task.value
    }

    @Test("a line that trickles in without its LF gets limit.line_seconds, then the connection closes")
    func slowLine() async throws {
        let (fixture, task) = try await ServerFixture.start(limits: { $0.lineTimeout = .milliseconds(300) })
        try await RPCClient.withConnection(try fixture.clientConfiguration()) { client in
            try await client.sendRaw(Array(#"{"jsonrpc":"2.0","#.utf8))
            let answer = try await client.readMessage()
            #expect(answer["error"]?["data"]?["name"] == .string("limit.line_seconds"))
            #expect(answer["id"] == .null)
            await #expect(throws: RPCClientError.self) { try await client.readMessage() }
        }
        await fixture.group.triggerGracefulShutdown()
        try await task.value
    }

    @Test("a client that never reads its answers is disconnected after the write timeout")
    func neverReads() async throws {
        let (fixture, task) = try await ServerFixture.start(limits: { $0.writeTimeout = .milliseconds(300); $0.maximumLineBytes = 4096 })
        var configuration = try fixture.clientConfiguration()
        configuration.readTimeout = .seconds(60)  // if the server never gave up, fail in 60 s rather than 600
        try await RPCClient.withConnection(configuration) { client in
            // 200 answers of 512 KiB each (100 MiB): far more than the socket buffers, the client's
            // inbound buffer (about 20 MiB on Linux loopback at most) and the server's bounds hold.
            var requests: [UInt8] = []
            for id in 0..<200 {
                requests += line(#"{"jsonrpc":"2.0","id":\#(id),"method":"echo","params":{"text":"xxxxxxxx","repeatCount":65536}}"#)
            }
            try await client.sendRaw(requests)
            // The event: the server closed the connection (it had answers the client did not take).
            #expect(await eventually(within: .seconds(60)) { fixture.server.openConnectionCount == 0 })
            var answers = 0
            do {
                while true {
                    _ = try await client.readMessage()
                    answers += 1
                }
            } catch is RPCClientError {
                // the server gave up on this connection
            }
            #expect(answers < 200)
            #expect(fixture.echoes.count < 200, "the server stopped running requests it could not deliver")
        }
        await fixture.group.triggerGracefulShutdown()
        try await task.value
    }

    @Test("over the connection cap, a new connection gets limit.connections and is closed; the first keeps working")
    func connectionCap() async throws {
        let (fixture, task) = try await ServerFixture.start(limits: { $0.maximumConnections = 1 })
        try await RPCClient.withConnection(try fixture.clientConfiguration()) { first in
            _ = try await first.call("echo", params: .object(["text": .string("one")]))
            try await RPCClient.withConnection(try fixture.clientConfiguration()) { second in
                let refusal = try await second.readMessage()
                #expect(refusal["error"]?["data"]?["name"] == .string("limit.connections"))
                #expect(refusal["error"]?["code"] == .integer(-32000))
                await #expect(throws: RPCClientError.self) { try await second.readMessage() }
            }
            let still = try await first.call("echo", params: .object(["text": .string("still")]))
            #expect(still["text"] == .string("still"))
        }
        await fixture.group.triggerGracefulShutdown()
        try await task.value
    }

    @Test("10,000 pipelined requests in one write are each answered once, by id")
    func tenThousandPipelined() async throws {
        let (fixture, task) = try await ServerFixture.start()
        try await RPCClient.withConnection(try fixture.clientConfiguration()) { client in
            var bytes: [UInt8] = []
            bytes.reserveCapacity(10_000 * 80)
            for id in 0..<10_000 {
                bytes += line(#"{"jsonrpc":"2.0","id":\#(id),"method":"echo","params":{"text":"p"}}"#)
            }
            try await client.sendRaw(bytes)
            var seen = Set<Int64>()
            for _ in 0..<10_000 {
                let answer = try await client.readMessage()
                guard case .integer(let id)? = answer["id"] else {
                    Issue.record("answer without an integer id: \(answer)")
                    return
                }
                #expect(seen.insert(id).inserted, "id \(id) answered twice")
            }
            #expect(seen == Set(0..<10_000))
            let after = try await client.call("echo", params: .object(["text": .string("still here")]))
            #expect(after["text"] == .string("still here"))
        }
        await fixture.group.triggerGracefulShutdown()
        try await task.value
    }

    @Test("half-close after the last request: the answers still arrive, then the server closes")
    func halfClose() async throws {
        let (fixture, task) = try await ServerFixture.start()
        let configuration = try fixture.clientConfiguration()
        let sslContext = try NIOSSLContext(configuration: configuration.tls)
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelOption(.allowRemoteHalfClosure, value: true)
            .connect(host: "127.0.0.1", port: fixture.port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(NIOSSLClientHandler(context: sslContext, serverHostname: nil))
                    try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(LineFrameDecoder()))
                    return try NIOAsyncChannel<LineFrame, ByteBuffer>(wrappingChannelSynchronously: channel,
                                                                     configuration: .init(isOutboundHalfClosureEnabled: true))
                }
            }
        try await channel.executeThenClose { inbound, outbound in
            try await outbound.write(ByteBuffer(bytes: line(#"{"jsonrpc":"2.0","id":1,"method":"echo","params":{"text":"a","delayMs":200}}"#)
                                                + line(#"{"jsonrpc":"2.0","id":2,"method":"echo","params":{"text":"b"}}"#)))
            outbound.finish()  // half-close: TLS close_notify on our sending side
            var ids: [String] = []
            for try await frame in inbound {
                if case .line(let bytes) = frame {
                    let answer = try JSONDecoder().decode(JSONValue.self, from: Data(bytes.readableBytesView))
                    ids.append(answer["id"].map { "\($0)" } ?? "none")
                }
            }
            #expect(ids.sorted() == ["integer(1)", "integer(2)"])
        }
        await fixture.group.triggerGracefulShutdown()
        try await task.value
    }

    @Test("an exclusive method is a barrier: requests pipelined after it run with the identity it set")
    func exclusiveBarrier() async throws {
        let (fixture, task) = try await ServerFixture.start(configure: { table in
            table.register("login", summary: "login", access: .anyone, exclusive: true, params: NoParams.self) { context, _ in
                try await Task.sleep(for: .milliseconds(150))
                context.session.authenticate(as: RPCIdentity(principal: "late", role: "admin"))
                return "ok"
            }
            table.register("whoami", summary: "whoami", access: .roles(["admin"]), params: NoParams.self) { context, _ in
                context.identity?.principal ?? "nobody"
            }
        })
        try await RPCClient.withConnection(try fixture.clientConfiguration()) { client in
            try await client.sendRaw(line(#"{"jsonrpc":"2.0","id":1,"method":"login"}"#) + line(#"{"jsonrpc":"2.0","id":2,"method":"whoami"}"#))
            let first = try await client.readMessage()
            let second = try await client.readMessage()
            #expect(first["id"] == .integer(1))
            #expect(second["id"] == .integer(2))
            #expect(second["result"] == .string("late"))
        }
        await fixture.group.triggerGracefulShutdown()
        try await task.value
    }
}

import AccessProtocol
import Foundation
@testable import LineRPC
import NIOCore
import NIOEmbedded
import Testing

/// The idle timeout closes connections that are really idle, not ones waiting for a long call's answer.
@Suite("Idle timeout")
struct IdleTimeoutTests {
    @Test("nothing read or flushed for the timeout closes a connection; activity, or a call in progress, defers it")
    func closerTimesIdleness() throws {
        let session = RPCSession(certificateCommonName: nil, identity: nil)
        let loop = EmbeddedEventLoop()
        let channel = EmbeddedChannel(handler: IdleConnectionCloser(timeout: .seconds(10), activity: .readsAndWrites, session: session),
                                      loop: loop)
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()  // idle from 0 s
        loop.advanceTime(by: .seconds(6))
        channel.pipeline.fireChannelReadComplete()  // read at 6 s
        loop.advanceTime(by: .seconds(6))  // 12 s: the timer for 10 s finds a read 6 s old
        #expect(channel.isActive, "closed 6 s after a read")
        try channel.writeAndFlush(ByteBuffer(string: "answer\n")).wait()  // flushed at 12 s
        loop.advanceTime(by: .seconds(5))  // 17 s: the timer for 16 s finds a flush 4 s old
        #expect(channel.isActive, "closed 4 s after a flush")
        session.callsInProgress.add(1, ordering: .relaxed)
        loop.advanceTime(by: .seconds(6))  // 23 s: idle for 10 s at 22 s, but a call is in progress
        #expect(channel.isActive, "closed while a call was in progress")
        session.callsInProgress.subtract(1, ordering: .relaxed)
        loop.advanceTime(by: .seconds(8))  // 31 s: the timer for 32 s has not fired
        #expect(channel.isActive, "closed before the timer looked again")
        loop.advanceTime(by: .seconds(1))  // 32 s: idle since 12 s, no call
        #expect(!channel.isActive, "an idle connection stayed open")
    }

    @Test("with reads alone counting (the client's read timeout), flushes do not keep a connection open")
    func readsOnly() throws {
        let loop = EmbeddedEventLoop()
        let channel = EmbeddedChannel(handler: IdleConnectionCloser(timeout: .seconds(10), activity: .reads), loop: loop)
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
        loop.advanceTime(by: .seconds(9))
        try channel.writeAndFlush(ByteBuffer(string: "request\n")).wait()
        loop.advanceTime(by: .seconds(1))
        #expect(!channel.isActive, "a flush counted as a read")
    }

    @Test("through a real server: a call longer than two idle timeouts is answered; a silent connection is closed")
    func longCallIsNotIdleness() async throws {
        let (fixture, task) = try await ServerFixture.start(configure: { table in
            table.register("slow", summary: "slow", access: .anyone, params: NoParams.self) { _, _ in
                try await Task.sleep(for: .seconds(17))
                return ["done": true] as JSONValue
            }
        // 8 s: the idle timer runs from the TLS handshake, and no call is in progress until the request is
        // read, so a loaded machine must connect and send within it (4 s was too short with the tests' load).
        }, limits: { $0.idleTimeout = .seconds(8) })

        let answer = try await RPCClient.withConnection(try fixture.clientConfiguration()) { client in
            try await client.call("slow")
        }
        #expect(answer["done"] == true, "the connection was closed while its call ran")

        let started = ContinuousClock.now
        // Closed while it waits to read (or, on a loaded machine, already during its handshake): either way it ends.
        let silent = try fixture.clientConfiguration()
        await #expect(throws: (any Error).self) {
            try await RPCClient.withConnection(silent) { client in _ = try await client.readMessage() }
        }
        #expect(ContinuousClock.now - started < .seconds(60), "a silent connection outlived its idle timeout")

        await fixture.group.triggerGracefulShutdown()
        try await task.value
    }
}

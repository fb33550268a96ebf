import AccessProtocol
import Foundation
@testable import LineRPC
import NIOCore
import NIOEmbedded
import Testing

/// The idle timeout closes connections that are really idle, not ones waiting for a long call's answer.
@Suite("Idle timeout")
struct IdleTimeoutTests {
    @Test("the idle event closes a connection with no call in progress, and leaves one with a call alone")
    func closerChecksCallsInProgress() throws {
        let session = RPCSession(certificateCommonName: nil, identity: nil)
        let channel = EmbeddedChannel(handler: IdleConnectionCloser(session: session))
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
        session.callsInProgress.add(1, ordering: .relaxed)
        channel.pipeline.fireUserInboundEventTriggered(IdleStateHandler.IdleStateEvent.all)
        #expect(channel.isActive, "closed while a call was in progress")
        session.callsInProgress.subtract(1, ordering: .relaxed)
        channel.pipeline.fireUserInboundEventTriggered(IdleStateHandler.IdleStateEvent.all)
        #expect(!channel.isActive, "an idle connection stayed open")
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

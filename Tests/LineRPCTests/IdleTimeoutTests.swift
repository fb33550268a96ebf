import AccessProtocol
import Foundation
@testable import LineRPC
import NIOCore
import Testing

/// The idle timeout closes connections that are really idle, not ones waiting for a long call's answer.
@Suite("Idle timeout")
struct IdleTimeoutTests {
    @Test("a call that takes three idle timeouts is answered; a silent connection is closed after one")
    func longCallIsNotIdleness() async throws {
        let (fixture, task) = try await ServerFixture.start(configure: { table in
            table.register("slow", summary: "slow", access: .anyone, params: NoParams.self) { _, _ in
                try await Task.sleep(for: .seconds(6))
                return ["done": true] as JSONValue
            }
        // 2 s: long enough that a loaded machine connects and sends the request before it passes (the idle
        // timer runs from the handshake, and no call is in progress until the request is read).
        }, limits: { $0.idleTimeout = .seconds(2) })

        let answer = try await RPCClient.withConnection(try fixture.clientConfiguration()) { client in
            try await client.call("slow")
        }
        #expect(answer["done"] == true, "the connection was closed while its call ran")

        let started = ContinuousClock.now
        try await RPCClient.withConnection(try fixture.clientConfiguration()) { client in
            await #expect(throws: RPCClientError.self) { try await client.readMessage() }
        }
        #expect(ContinuousClock.now - started < .seconds(20), "a silent connection outlived its idle timeout")

        await fixture.group.triggerGracefulShutdown()
        try await task.value
    }
}

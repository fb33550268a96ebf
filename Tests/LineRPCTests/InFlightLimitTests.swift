import AccessProtocol
import Foundation
import LineRPC
import NIOSSL
import Synchronization
import TestSupport
import Testing

/// Requests running at once, and the most seen.
private final class Running: Sendable {
    private let state = Mutex<(now: Int, peak: Int, started: Int)>((0, 0, 0))
    func enter() { state.withLock { $0.now += 1; $0.started += 1; $0.peak = max($0.peak, $0.now) } }
    func leave() { state.withLock { $0.now -= 1 } }
    var peak: Int { state.withLock { $0.peak } }
    var started: Int { state.withLock { $0.started } }
}

@Suite("In-flight limit per connection")
struct InFlightLimitTests {
    @Test("the configured limit holds: of 6 pipelined requests 3 run at once, and ping publishes it")
    func configuredLimit() async throws {
        let gate = TestGate()
        let running = Running()
        let (fixture, task) = try await ServerFixture.start(configure: { table in
            table.register("hold", summary: "waits for the gate", access: .anyone, params: NoParams.self) { _, _ in
                running.enter()
                defer { running.leave() }
                await gate.pass()
                return "done"
            }
        }, limits: { $0.maximumInFlightPerConnection = 3 })
        try await RPCClient.withConnection(try fixture.clientConfiguration()) { client in
            var lines: [UInt8] = []
            for id in 1...6 { lines += line(#"{"jsonrpc":"2.0","id":\#(id),"method":"hold"}"#) }
            try await client.sendRaw(lines)
            #expect(await eventually { running.started == 3 })
            await gate.open()
            var ids = Set<Int64>()
            for _ in 1...6 {
                let answer = try await client.readMessage()
                #expect(answer["result"] == .string("done"))
                if case .integer(let id)? = answer["id"] { ids.insert(id) }
            }
            #expect(ids == Set(1...6))
        }
        #expect(running.peak == 3, "never more than the limit at once, and the limit reached")
        #expect(RPCServerConfiguration(tls: .makeClientConfiguration(), maximumInFlightPerConnection: 3).limits.authenticated.inFlight == 3)
        await fixture.group.triggerGracefulShutdown()
        try await task.value
    }
}

import AccessProtocol
import Foundation
import LineRPC
import TestSupport
import Testing

/// Opens `count` connections and runs `body` with all of them open.
private func withConnections(_ count: Int, _ configuration: RPCClientConfiguration, opened: [RPCClient] = [],
                             _ body: ([RPCClient]) async throws -> Void) async throws {
    guard opened.count < count else { return try await body(opened) }
    try await RPCClient.withConnection(configuration) { client in
        try await withConnections(count, configuration, opened: opened + [client], body)
    }
}

@Suite("Idle connections hold no task")
struct IdleConnectionTaskTests {
    @Test("a call runs in a task that ends with its answer: 20 connections left idle hold none, still answer, and close on shutdown")
    func idleConnectionsHoldNoTask() async throws {
        let latch = TestGate()
        let (fixture, task) = try await ServerFixture.start(configure: { table in
            table.register("hold", summary: "waits for the latch", access: .anyone, params: NoParams.self) { _, _ in
                await latch.pass()
                return "done"
            }
        })
        let connections = 20
        try await withConnections(connections, try fixture.clientConfiguration()) { clients in
            for (index, client) in clients.enumerated() {
                try await client.sendRaw(line(#"{"jsonrpc":"2.0","id":\#(index),"method":"hold"}"#))
            }
            // One task per call running: the count sees them.
            #expect(await eventually { fixture.server.requestTaskCount == connections })
            await latch.open()
            for (index, client) in clients.enumerated() {
                let answer = try await client.readMessage()
                #expect(answer["id"] == .integer(Int64(index)))
                #expect(answer["result"] == .string("done"))
            }
            // Answered and idle: no task left, every connection still open.
            #expect(await eventually { fixture.server.requestTaskCount == 0 })
            #expect(fixture.server.openConnectionCount == connections)
            // An idle connection still serves its next call.
            for client in clients {
                #expect(try await client.call("hold") == .string("done"))
            }
            #expect(await eventually { fixture.server.requestTaskCount == 0 })
            // Shutdown closes the idle connections (nothing in flight to wait for), and the server returns.
            await fixture.group.triggerGracefulShutdown()
            for client in clients {
                await #expect(throws: RPCClientError.self) { try await client.readMessage() }
            }
            try await task.value
            #expect(fixture.server.openConnectionCount == 0)
        }
    }
}

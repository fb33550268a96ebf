import Foundation
import Testing

@testable import AsanaSimulator

@Suite("Test hooks: write log and write gate")
struct WriteHookTests {
    @Test("writeLog lists each membership write that reached a route, with its status; faults and 401 are not in it")
    func writeLog() async throws {
        try await withSimulator { client in
            client.simulator.injectFaults([.status(500, times: 1, pathPrefix: "/teams/3001/addUser", method: "POST")])
            let reply1 = try await client.post("/workspaces/1000/addUser", user: "log.me@acme.example")
            #expect(reply1.status == 200)
            let reply2 = try await client.post("/teams/3001/addUser", user: "log.me@acme.example")
            #expect(reply2.status == 500)
            let reply3 = try await client.post("/teams/3001/addUser", user: "log.me@acme.example")
            #expect(reply3.status == 200)
            let reply4 = try await client.post("/teams/3001/removeUser", user: "log.me@acme.example", token: nil)
            #expect(reply4.status == 401)
            let reply5 = try await client.post("/workspaces/1000/removeUser", user: "nobody.known@acme.example")
            #expect(reply5.status == 400)
            #expect(client.simulator.writeLog() == [
                SimulatedWrite(method: "POST", path: "/workspaces/1000/addUser", user: "log.me@acme.example", status: 200),
                SimulatedWrite(method: "POST", path: "/teams/3001/addUser", user: "log.me@acme.example", status: 200),
                SimulatedWrite(method: "POST", path: "/workspaces/1000/removeUser", user: "nobody.known@acme.example", status: 400),
            ])
        }
    }

    @Test("holdWrites lets N writes through, holds the next until released, then applies it")
    func writeGate() async throws {
        try await withSimulator { client in
            client.simulator.holdWrites(after: 1)
            let reply6 = try await client.post("/workspaces/1000/addUser", user: "first@acme.example")
            #expect(reply6.status == 200)
            let held = Task { try await client.post("/workspaces/1000/addUser", user: "second@acme.example").status }
            while client.simulator.heldWriteCount == 0 { await Task.yield() }
            #expect(client.simulator.writeLog().count == 1, "the held write is not applied yet")
            client.simulator.releaseWrites()
            let heldStatus = try await held.value
            #expect(heldStatus == 200)
            #expect(client.simulator.writeLog().map(\.user) == ["first@acme.example", "second@acme.example"])
            #expect(client.simulator.heldWriteCount == 0)
        }
    }
}

import AsyncHTTPClient
import Foundation
import Testing

@testable import AsanaSimulator

@Suite("Connection resets and random faults")
struct ChaosFaultTests {
    /// The outcome of one GET: the status, `"429/<Retry-After>"` for 429s, or `"reset"` for a transport error.
    static func outcome(_ api: SimulatorClient, _ path: String = "/users/me") async -> String {
        do {
            let reply = try await api.get(path)
            if reply.status == 429 { return "429/\(reply.header("Retry-After") ?? "-")" }
            return String(reply.status)
        } catch let error as HTTPClientError where error == .remoteConnectionClosed {
            return "reset"
        } catch {
            return "other error: \(error)"
        }
    }

    @Test("a connection reset is a transport error, not an HTTP status; the next request is served")
    func connectionReset() async throws {
        try await withSimulator(seed: TestSeeds.withOAuth()) { api in
            api.simulator.injectFaults([.connectionReset(times: 1, pathPrefix: "/users")])
            await #expect(throws: HTTPClientError.remoteConnectionClosed) { try await api.get("/users/me") }
            #expect(api.simulator.injectedFaultCount == 1)
            let next = try await api.get("/users/me")
            #expect(next.status == 200)

            // Writes too: the write is not performed.
            api.simulator.injectFaults([.connectionReset(times: 1, pathPrefix: "/teams", method: "POST")])
            await #expect(throws: HTTPClientError.self) { try await api.post("/teams/3001/addUser", user: "1004") }
            #expect(!api.simulator.state().teamMemberships.contains { $0.team == "3001" && $0.user == "1004" })

            // And the OAuth token endpoint.
            let oauth = OAuthClient(api: api)
            api.simulator.injectFaults([.connectionReset(times: 1, pathPrefix: "/-/oauth_token")])
            await #expect(throws: HTTPClientError.self) { try await oauth.refresh("whatever") }
            #expect(api.simulator.injectedFaultCount == 3)
            #expect(api.simulator.requestLog().suffix(1) == ["POST /-/oauth_token grant_type=refresh_token"])
        }
    }

    @Test("random plan: deterministic per seed, really injects faults, counts them, 429s carry Retry-After 0 or 1")
    func randomDeterminism() async throws {
        let plan = RandomFaultPlan(probability: 0.4, kinds: [429, 500, 502, 503, 504, .connectionReset], seed: 42)
        func run(_ plan: RandomFaultPlan) async throws -> (outcomes: [String], count: Int) {
            try await withSimulator { api in
                api.simulator.injectRandomFaults(plan)
                var outcomes: [String] = []
                for _ in 0..<60 { outcomes.append(await Self.outcome(api)) }
                return (outcomes, api.simulator.injectedFaultCount)
            }
        }
        let first = try await run(plan)
        let second = try await run(plan)
        #expect(first.outcomes == second.outcomes)
        let failures = first.outcomes.filter { $0 != "200" }
        #expect(failures.count == first.count)
        #expect(failures.count > 5 && failures.count < 45)
        #expect(Set(failures).isSubset(of: ["429/0", "429/1", "500", "502", "503", "504", "reset"]))
        #expect(Set(failures.map { $0.prefix(3) }).count >= 4)

        var other = plan
        other.seed = 43
        #expect(try await run(other).outcomes != first.outcomes)
    }

    @Test("random plan: probability 0 and 1, method and path filters, clearFaults stops it; queued faults first")
    func randomFilters() async throws {
        try await withSimulator { api in
            api.simulator.injectRandomFaults(.init(probability: 1, kinds: [503], seed: 1, pathPrefix: "/workspaces"))
            #expect(await Self.outcome(api, "/workspaces") == "503")
            #expect(await Self.outcome(api, "/users/me") == "200")
            let post = try await api.post("/teams/3001/addUser", user: "1004")
            #expect(post.status == 200)  // default method GET: writes untouched
            api.simulator.injectFaults([.status(500, times: 1, pathPrefix: "/workspaces")])
            #expect(await Self.outcome(api, "/workspaces") == "500")
            #expect(api.simulator.injectedFaultCount == 2)
            api.simulator.clearFaults()
            #expect(await Self.outcome(api, "/workspaces") == "200")
            api.simulator.injectRandomFaults(.init(probability: 0, seed: 9))
            var outcomes: [String] = []
            for _ in 0..<10 { outcomes.append(await Self.outcome(api)) }
            #expect(outcomes == Array(repeating: "200", count: 10))
            api.simulator.injectRandomFaults(.init(probability: 1, kinds: [], seed: 9))
            #expect(await Self.outcome(api) == "200")
            #expect(api.simulator.injectedFaultCount == 2)
        }
    }
}

import AsyncHTTPClient
import Foundation
import TestSupport
import Testing

@testable import AsanaSimulator

/// Waits until the admin token has `reads` GETs or `writes` writes in flight at the simulator (a
/// generous 30 s bound that only a broken limiter reaches); returns whether it happened.
private func inFlight(_ api: SimulatorClient, reads: Int? = nil, writes: Int? = nil) async -> Bool {
    await eventually(within: .seconds(30), every: .milliseconds(10)) {
        let now = api.simulator.requestsInFlight(token: TestTokens.admin)
        return (reads.map { now.reads >= $0 } ?? true) && (writes.map { now.writes >= $0 } ?? true)
    }
}

@Suite("Concurrent-request limiter and latency faults (https://developers.asana.com/docs/rate-limits)")
struct ConcurrencyTests {
    static let rateMessage = "You've made too many requests and hit a rate limit. Please retry after the given amount of time."

    @Test("reads: one over maxConcurrentReads → 429 with Retry-After; per token; writes counted apart; slots come back")
    func reads() async throws {
        let configuration = SimulatorConfiguration(maxConcurrentReads: 2, maxConcurrentWrites: 1)
        try await withSimulator(configuration: configuration) { api in
            api.simulator.injectFaults([.latency(.seconds(5), times: 2, pathPrefix: "/users/me", method: "GET")])
            let started = ContinuousClock.now
            async let first = api.get("/users/me")
            async let second = api.get("/users/me")
            #expect(await inFlight(api, reads: 2))
            let third = try await api.get("/workspaces")
            #expect(third.status == 429)
            #expect(third.header("Retry-After") == "1")
            #expect(third.errorMessage == Self.rateMessage)
            // Another token has its own slots; a write has its own limit.
            #expect(try await api.get("/workspaces", token: TestTokens.member).status == 200)
            #expect(try await api.post("/teams/3001/addUser", user: "1004").status == 200)

            let (a, b) = try await (first, second)
            #expect(a.status == 200)
            #expect(b.status == 200)
            #expect(ContinuousClock.now - started >= .seconds(5))
            #expect(try await api.get("/workspaces").status == 200)
            #expect(try await api.get("/workspaces").status == 200)
        }
    }

    @Test("configured latency: every API request waits it out holding its slot; /-/sim/stats counts API requests and the most reads in flight; reset starts again")
    func latencyAndStats() async throws {
        try await withSimulator(configuration: SimulatorConfiguration(latency: .milliseconds(300))) { api in
            let root = String(api.simulator.baseURL.dropLast(RouteEnvironment.basePath.count))
            func stats() async throws -> [String: Any] {
                let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: root + "/-/sim/stats"), timeout: .seconds(10))
                let body = try await response.body.collect(upTo: 1 << 16)
                return try JSONSerialization.jsonObject(with: Data(body.readableBytesView)) as? [String: Any] ?? [:]
            }
            let started = ContinuousClock.now
            #expect(try await api.get("/users/me").status == 200)
            #expect(ContinuousClock.now - started >= .milliseconds(300))

            api.simulator.injectFaults([.latency(.seconds(3), times: 3, pathPrefix: "/workspaces", method: "GET")])
            async let a = api.get("/workspaces")
            async let b = api.get("/workspaces")
            async let c = api.get("/workspaces")
            #expect(await inFlight(api, reads: 3))
            let answers = try await [a, b, c]
            #expect(answers.map(\.status) == [200, 200, 200])
            var seen = try await stats()
            #expect(seen["requests"] as? Int == 4)
            #expect(seen["peak_reads_in_flight"] as? Int == 3)

            var reset = HTTPClientRequest(url: root + "/-/sim/stats/reset")
            reset.method = .POST
            #expect(try await HTTPClient.shared.execute(reset, timeout: .seconds(10)).status == .ok)
            #expect(try await api.get("/users/me").status == 200)
            seen = try await stats()
            #expect(seen["requests"] as? Int == 1)
            #expect(seen["peak_reads_in_flight"] as? Int == 1)
        }
    }

    @Test("writes: one over maxConcurrentWrites → 429; concurrencyRetryAfterSeconds nil → no Retry-After")
    func writes() async throws {
        let configuration = SimulatorConfiguration(maxConcurrentWrites: 1, concurrencyRetryAfterSeconds: nil)
        try await withSimulator(configuration: configuration) { api in
            api.simulator.injectFaults([.latency(.seconds(5), times: 1, pathPrefix: "/teams", method: "POST")])
            async let slow = api.post("/teams/3001/addUser", user: "1004")
            #expect(await inFlight(api, writes: 1))
            let refused = try await api.post("/teams/3001/addUser", user: "1005")
            #expect(refused.status == 429)
            #expect(refused.header("Retry-After") == nil)
            #expect(refused.errorMessage == Self.rateMessage)
            #expect(try await api.get("/users/me").status == 200)  // reads are not affected
            #expect(try await slow.status == 200)
            let memberships = api.simulator.state().teamMemberships.filter { $0.team == "3001" }.map(\.user)
            #expect(memberships.contains("1004"))
            #expect(!memberships.contains("1005"))
            #expect(try await api.post("/teams/3001/addUser", user: "1005").status == 200)
        }
    }

    @Test("failing routes give their slot back")
    func releasedOnErrors() async throws {
        try await withSimulator(configuration: .init(maxConcurrentReads: 1, maxConcurrentWrites: 1)) { api in
            var statuses: [Int] = []
            for _ in 0..<3 {
                statuses.append(try await api.get("/users/424242").status)
                statuses.append(try await api.get("/no/such/route").status)
                statuses.append(try await api.post("/workspaces/1000/addUser", json: "not json").status)
            }
            #expect(statuses == [404, 404, 400, 404, 404, 400, 404, 404, 400])
            let me = try await api.get("/users/me")
            #expect(me.status == 200)
        }
    }

    @Test("a latency fault delays, then serves normally")
    func latency() async throws {
        try await withSimulator { api in
            api.simulator.injectFaults([.latency(.milliseconds(300), times: 1, pathPrefix: "/users")])
            let started = ContinuousClock.now
            let reply = try await api.get("/users/me")
            #expect(reply.status == 200)
            #expect(reply.dataObject["gid"] as? String == "1001")
            #expect(ContinuousClock.now - started >= .milliseconds(300))
            #expect(SimulatedFault.latency(.seconds(1)).kind == .latency(.seconds(1)))
            #expect(SimulatedFault.status(500).kind == .status)
        }
    }

    @Test("limiter arithmetic: independent read/write counts per token; release frees")
    func limiterUnit() {
        let limiter = ConcurrencyLimiter(maxReads: 2, maxWrites: 1)
        #expect(limiter.acquire(token: "a", write: false))
        #expect(limiter.acquire(token: "a", write: false))
        #expect(!limiter.acquire(token: "a", write: false))
        #expect(limiter.acquire(token: "a", write: true))
        #expect(!limiter.acquire(token: "a", write: true))
        #expect(limiter.acquire(token: "b", write: false))
        #expect(limiter.inFlight(token: "a") == (2, 1))
        limiter.release(token: "a", write: false)
        #expect(limiter.acquire(token: "a", write: false))
        limiter.release(token: "a", write: false)
        limiter.release(token: "a", write: false)
        limiter.release(token: "a", write: true)
        limiter.release(token: "a", write: true)  // extra release is harmless
        #expect(limiter.inFlight(token: "a") == (0, 0))
        #expect(ConcurrencyLimiter(maxReads: 0, maxWrites: 0).acquire(token: "c", write: true))
    }
}

import Foundation
import Testing

@testable import AsanaSimulator

@Suite("Rate limits (https://developers.asana.com/docs/rate-limits) and fault injection")
struct RateLimitAndFaultTests {
    static let rateMessage = "You've made too many requests and hit a rate limit. Please retry after the given amount of time."

    @Test("over the per-minute budget → 429 with Retry-After and Asana's message; window frees after 60 s")
    func budget() async throws {
        let clock = FakeClock()
        try await withSimulator(configuration: .init(requestsPerMinute: 3, now: { clock.now })) { client in
            for _ in 0..<3 { #expect(try await client.get("/users/me").status == 200) }
            let limited = try await client.get("/users/me")
            #expect(limited.status == 429)
            #expect(limited.header("Retry-After") == "60")
            #expect(limited.errorMessage == Self.rateMessage)

            // Budgets are per token.
            #expect(try await client.get("/users/me", token: TestTokens.member).status == 200)

            clock.advance(seconds: 20)
            let later = try await client.get("/users/me")
            #expect(later.status == 429)
            #expect(later.header("Retry-After") == "40")

            clock.advance(seconds: 61)
            #expect(try await client.get("/users/me").status == 200)
        }
    }

    @Test("rejected requests count against the budget")
    func rejectedCount() async throws {
        let clock = FakeClock()
        try await withSimulator(configuration: .init(requestsPerMinute: 2, now: { clock.now })) { client in
            #expect(try await client.get("/users/me").status == 200)
            #expect(try await client.get("/users/me").status == 200)
            clock.advance(seconds: 10)
            #expect(try await client.get("/users/me").status == 429)
            clock.advance(seconds: 10)
            #expect(try await client.get("/users/me").status == 429)
            // At t = 61 the two successes have aged out, but the two rejected calls (t = 10, 20) still fill the window.
            clock.advance(seconds: 41)
            let reply = try await client.get("/users/me")
            #expect(reply.status == 429)
            #expect(reply.header("Retry-After") == "19")  // both rejected calls must age out: 20 + 60 - 61
        }
    }

    @Test("a fixed retryAfterSeconds is sent as configured")
    func fixedRetryAfter() async throws {
        try await withSimulator(configuration: .init(requestsPerMinute: 1, retryAfterSeconds: 7)) { client in
            #expect(try await client.get("/users/me").status == 200)
            let reply = try await client.get("/users/me")
            #expect(reply.status == 429)
            #expect(reply.header("retry-after") == "7")
        }
    }

    @Test("limiter arithmetic")
    func limiterUnit() {
        let limiter = RateLimiter(requestsPerMinute: 2, retryAfterSeconds: nil)
        let t0 = Date(timeIntervalSince1970: 0)
        #expect(limiter.admit(token: "a", now: t0) == .allowed)
        #expect(limiter.admit(token: "a", now: t0.addingTimeInterval(0.5)) == .allowed)
        #expect(limiter.admit(token: "a", now: t0.addingTimeInterval(1)) == .limited(retryAfter: 60))
        #expect(limiter.admit(token: "b", now: t0.addingTimeInterval(1)) == .allowed)
    }

    @Test("injected 500s carry a phrase, apply to the path prefix only, then stop")
    func serverErrors() async throws {
        try await withSimulator { client in
            client.simulator.injectFaults([.status(500, times: 2, pathPrefix: "/users")])
            #expect(try await client.get("/workspaces").status == 200)
            let first = try await client.get("/users?workspace=1000&limit=5")
            #expect(first.status == 500)
            #expect(first.errorMessage == "Server Error")
            let phrase = try #require(first.firstError["phrase"] as? String)
            #expect(phrase.split(separator: " ").count == 5)
            let second = try await client.get("/users/me")
            #expect(second.status == 500)
            #expect(second.firstError["phrase"] is String)
            #expect(try await client.get("/users/me").status == 200)
        }
    }

    @Test("injected 429 sends Retry-After when given; 503 has no phrase; method filter")
    func otherFaults() async throws {
        try await withSimulator { client in
            client.simulator.injectFaults([
                .status(429, retryAfter: 1, times: 1, pathPrefix: "/teams"),
                .status(429, times: 1, pathPrefix: "/teams"),
                .status(503, times: 1, pathPrefix: "/", method: "POST"),
            ])
            let limited = try await client.get("/teams/3001/team_memberships?limit=5")
            #expect(limited.status == 429)
            #expect(limited.header("Retry-After") == "1")
            #expect(limited.errorMessage == Self.rateMessage)
            let noHeader = try await client.get("/teams/3001/team_memberships?limit=5")
            #expect(noHeader.status == 429)
            #expect(noHeader.header("Retry-After") == nil)
            #expect(try await client.get("/teams/3001/team_memberships?limit=5").status == 200)
            let unavailable = try await client.post("/teams/3001/addUser", user: "1004")
            #expect(unavailable.status == 503)
            #expect(unavailable.firstError["phrase"] == nil)
            #expect(!client.simulator.state().teamMemberships.contains { $0.user == "1004" && $0.team == "3001" })
            client.simulator.injectFaults([.status(502, times: 5)])
            client.simulator.clearFaults()
            #expect(try await client.get("/users/me").status == 200)
        }
    }

    @Test("phrases are deterministic and five words")
    func phrases() {
        #expect(ErrorPhrase.make(1) == ErrorPhrase.make(1))
        #expect(ErrorPhrase.make(1) != ErrorPhrase.make(2))
        #expect(ErrorPhrase.make(7).split(separator: " ").count == 5)
    }
}

import Logging
import Synchronization
import Testing

@testable import AsanaAPI

/// The waits on Asana's rate limit told to the task's ``AsanaRateLimitWait/observer`` (a sync turns them into `waiting`).
@Suite("Rate-limit waits told to the task's observer")
struct RateLimitWaitTests {
    /// Runs `body` with an observer that records every wait told.
    func observing(_ body: () async throws -> Void) async rethrows -> [AsanaRateLimitWait] {
        let told = Mutex<[AsanaRateLimitWait]>([])
        try await AsanaRateLimitWait.$observer.withValue(.init { wait in told.withLock { $0.append(wait) } }) {
            try await body()
        }
        return told.withLock { $0 }
    }

    @Test("the budget spent: the next acquire tells a requestBudget wait of the time until the oldest request is 60 s old")
    func budget() async throws {
        let clock = FakeClock()
        let governor = AsanaGovernor(configuration: .init(requestsPerMinute: 2, maxConcurrentReads: 4, maxConcurrentWrites: 1), now: clock.now, sleep: clock.sleep)
        let told = try await observing {
            try await governor.acquire(.read)
            clock.advance(.seconds(10))
            try await governor.acquire(.read)
            try await governor.acquire(.read)  // two sent in the window: waits 50 s for the first to leave it
        }
        #expect(told == [AsanaRateLimitWait(reason: .requestBudget, duration: .seconds(50))])
        #expect(clock.sleeps == [.seconds(50)])
    }

    @Test("a pause (a 429's Retry-After) tells a rateLimited wait of what is left of it; no wait, nothing told")
    func pause() async throws {
        let clock = FakeClock()
        let governor = AsanaGovernor(configuration: .init(), now: clock.now, sleep: clock.sleep)
        #expect(try await observing { try await governor.acquire(.read) }.isEmpty)
        governor.release(.read)
        governor.pause(for: .seconds(7))
        clock.advance(.seconds(2))
        let told = try await observing { try await governor.acquire(.write) }
        #expect(told == [AsanaRateLimitWait(reason: .rateLimited, duration: .seconds(5))])
    }

    @Test("a client without a governor tells the 429's Retry-After before sleeping it; another task's observer hears nothing")
    func clientWithoutGovernor() async throws {
        let transport = FakeTransport([.rateLimited(retryAfter: "3"), .data(#"{"gid":"1"}"#)])
        let recorder = SleepRecorder()
        let client = makeClient(transport, recorder: recorder)
        let told = try await observing { _ = try await client.me() }
        #expect(told == [AsanaRateLimitWait(reason: .rateLimited, duration: .seconds(3))])
        #expect(recorder.sleeps == [.seconds(3)])
        // Outside `observing`, no observer: the same wait is slept, told to nobody.
        let quiet = makeClient(FakeTransport([.rateLimited(retryAfter: "1"), .data(#"{"gid":"1"}"#)]), recorder: SleepRecorder())
        _ = try await quiet.me()
        #expect(AsanaRateLimitWait.observer == nil)
    }
}

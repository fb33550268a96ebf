import Logging
import Synchronization
import Testing

@testable import AsanaAPI

/// A fake clock: `sleep` advances it by the asked duration and records it, without waiting.
final class FakeClock: Sendable {
    private struct State {
        var now: ContinuousClock.Instant
        var sleeps: [Duration] = []
    }

    private let state = Mutex(State(now: ContinuousClock.now))

    var now: @Sendable () -> ContinuousClock.Instant { { [self] in state.withLock { $0.now } } }

    var sleep: @Sendable (Duration) async throws -> Void {
        { [self] duration in
            try Task.checkCancellation()
            state.withLock {
                $0.now += duration
                $0.sleeps.append(duration)
            }
        }
    }

    func advance(_ duration: Duration) { state.withLock { $0.now += duration } }
    var sleeps: [Duration] { state.withLock { $0.sleeps } }
}

/// A transport that holds every request until ``open()`` and records the most requests in flight per method.
final class GateTransport: AsanaTransport {
    private struct State {
        var open = false
        var parked: [CheckedContinuation<Void, Never>] = []
        var inFlight: [String: Int] = [:]
        var maxInFlight: [String: Int] = [:]
        var total = 0
    }

    private let state = Mutex(State())

    func send(_ request: AsanaHTTPRequest) async throws -> AsanaHTTPResponse {
        let method = request.method
        let mustWait = state.withLock { state in
            state.inFlight[method, default: 0] += 1
            state.maxInFlight[method] = max(state.maxInFlight[method, default: 0], state.inFlight[method]!)
            state.total += 1
            return !state.open
        }
        if mustWait {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = state.withLock { state in
                    if state.open { return true }
                    state.parked.append(continuation)
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        }
        state.withLock { $0.inFlight[method, default: 0] -= 1 }
        return AsanaHTTPResponse(status: 200, body: Array(#"{"data":{"gid":"1"}}"#.utf8))
    }

    /// Lets every held and later request through.
    func open() {
        let parked = state.withLock { state in
            state.open = true
            defer { state.parked.removeAll() }
            return state.parked
        }
        for continuation in parked { continuation.resume() }
    }

    func inFlight(_ method: String) -> Int { state.withLock { $0.inFlight[method, default: 0] } }
    func maxInFlight(_ method: String) -> Int { state.withLock { $0.maxInFlight[method, default: 0] } }
    var total: Int { state.withLock { $0.total } }
}

/// Yields until `condition` holds, at most 100,000 times (no clock involved).
func eventually(_ condition: () -> Bool) async -> Bool {
    for _ in 0..<100_000 {
        if condition() { return true }
        await Task.yield()
    }
    return condition()
}

private let silent = Logger(label: "t", factory: { _ in SwiftLogNoOpLogHandler() })

@Suite("Governor: concurrency caps, budget, 429 pauses")
struct GovernorTests {
    @Test("100 concurrent calls never exceed 4 reads and 2 writes in flight")
    func concurrencyCaps() async throws {
        let governor = AsanaGovernor(
            configuration: .init(requestsPerMinute: 1000, maxConcurrentReads: 4, maxConcurrentWrites: 2))
        let transport = GateTransport()
        let client = AsanaClient(token: testToken, transport: transport, governor: governor, logger: silent)

        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<100 {
                group.addTask {
                    if index.isMultiple(of: 2) {
                        _ = try await client.me()
                    } else {
                        try await client.removeUser("u\(index)", fromWorkspace: "1000")
                    }
                }
            }
            let saturated = await eventually {
                transport.inFlight("GET") == 4 && transport.inFlight("POST") == 2
                    && governor.queued(.read) == 46 && governor.queued(.write) == 48
            }
            #expect(saturated)
            for _ in 0..<1000 { await Task.yield() }
            #expect(transport.inFlight("GET") == 4)
            #expect(transport.inFlight("POST") == 2)
            #expect(governor.inFlightReads == 4 && governor.inFlightWrites == 2)
            transport.open()
            try await group.waitForAll()
        }

        #expect(transport.total == 100)
        #expect(transport.maxInFlight("GET") == 4)
        #expect(transport.maxInFlight("POST") == 2)
        #expect(governor.peakReads == 4 && governor.peakWrites == 2)
        #expect(governor.inFlightReads == 0 && governor.inFlightWrites == 0)
        #expect(governor.waits == 94)
    }

    @Test("a full per-minute budget waits until the oldest request is 60 s old")
    func budgetWaits() async throws {
        let clock = FakeClock()
        let governor = AsanaGovernor(configuration: .init(requestsPerMinute: 3), now: clock.now, sleep: clock.sleep)
        for _ in 0..<3 {
            try await governor.acquire(.read)
            governor.release(.read)
            clock.advance(.seconds(10))
        }
        #expect(clock.sleeps.isEmpty)

        // t = 30 s: sent at 0, 10, 20; the one at 0 leaves the window at 60.
        try await governor.acquire(.write)
        governor.release(.write)
        #expect(clock.sleeps == [.seconds(30)])

        // t = 60 s: sent at 10, 20, 60; waits until 70.
        try await governor.acquire(.read)
        governor.release(.read)
        #expect(clock.sleeps == [.seconds(30), .seconds(10)])
        #expect(governor.waits == 2)
        #expect(governor.requestsInWindow == 3)
    }

    @Test("the budget counts retries too: a client's 5 requests with a budget of 2 wait twice")
    func budgetCountsEveryAttempt() async throws {
        let clock = FakeClock()
        let governor = AsanaGovernor(configuration: .init(requestsPerMinute: 2), now: clock.now, sleep: clock.sleep)
        let transport = FakeTransport([
            .asanaError(500, ["boom"]), .page([#"{"gid":"1"}"#], next: "a"), .page([], next: nil),
            .data(#"{"gid":"1"}"#), .data(#"{"gid":"1"}"#),
        ])
        let recorder = SleepRecorder()
        let client = AsanaClient(
            token: testToken, configuration: .init(backoffBase: .zero), transport: transport, governor: governor,
            logger: silent, sleep: recorder.sleep)

        _ = try await client.workspaces()
        _ = try await client.me()
        _ = try await client.me()

        #expect(transport.requests.count == 5)
        #expect(clock.sleeps == [.seconds(60), .seconds(60)])
        #expect(governor.waits == 2)
    }

    @Test("a 429 pauses every request of the token for Retry-After; other tokens do not wait")
    func pauseDelaysOtherCallers() async throws {
        let clock = FakeClock()
        let governors = AsanaGovernors(now: clock.now, sleep: clock.sleep)
        let recorder = SleepRecorder()
        func client(_ key: String, _ replies: [FakeTransport.Reply]) -> AsanaClient {
            AsanaClient(
                token: testToken, configuration: .init(maxAttempts: 1), transport: FakeTransport(replies),
                governor: governors.governor(for: key), logger: silent, sleep: recorder.sleep)
        }
        let start = clock.now()

        await #expect(throws: AsanaAPIError.rateLimited(retryAfter: .seconds(7))) {
            _ = try await client("1000/sync", [.rateLimited(retryAfter: "7")]).me()
        }
        #expect(governors.governor(for: "1000/sync").pausedUntil == start + .seconds(7))

        _ = try await client("2000/sync", [.data(#"{"gid":"2"}"#)]).me()
        #expect(clock.sleeps.isEmpty)

        _ = try await client("1000/sync", [.data(#"{"gid":"1"}"#)]).me()
        #expect(clock.sleeps == [.seconds(7)])
        #expect(recorder.sleeps.isEmpty)
        #expect(governors.governor(for: "1000/sync").waits == 1)
        #expect(governors.governor(for: "2000/sync").waits == 0)
        #expect(governors.keys == ["1000/sync", "2000/sync"])
    }

    @Test("a retried 429 waits in the governor, not in the client's sleep")
    func retryWaitsInGovernor() async throws {
        let clock = FakeClock()
        let governor = AsanaGovernor(configuration: .init(), now: clock.now, sleep: clock.sleep)
        let transport = FakeTransport([.rateLimited(retryAfter: "7"), .data(#"{"gid":"1"}"#)])
        let recorder = SleepRecorder()
        let client = AsanaClient(
            token: testToken, transport: transport, governor: governor, logger: silent, sleep: recorder.sleep)

        #expect(try await client.me().gid == "1")
        #expect(clock.sleeps == [.seconds(7)])
        #expect(recorder.sleeps.isEmpty)
        #expect(client.requestCount == 2 && client.rateLimitedCount == 1)
    }

    @Test("a 429 without Retry-After pauses for the client's backoff")
    func pauseWithoutRetryAfterUsesBackoff() async throws {
        let clock = FakeClock()
        let governor = AsanaGovernor(configuration: .init(), now: clock.now, sleep: clock.sleep)
        let client = AsanaClient(
            token: testToken, configuration: .init(maxAttempts: 1, backoffBase: .seconds(2), backoffCap: .seconds(2)),
            transport: FakeTransport([.rateLimited(retryAfter: nil)]), governor: governor, logger: silent)
        let start = clock.now()

        await #expect(throws: AsanaAPIError.rateLimited(retryAfter: nil)) { _ = try await client.me() }
        let until = try #require(governor.pausedUntil)
        #expect(until >= start && until <= start + .seconds(2))
    }

    @Test("a Retry-After beyond maxRetryAfter fails fast and pauses nobody")
    func longRetryAfterNoPause() async throws {
        let governor = AsanaGovernor(configuration: .init())
        let client = AsanaClient(
            token: testToken, transport: FakeTransport([.rateLimited(retryAfter: "600")]), governor: governor,
            logger: silent)
        await #expect(throws: AsanaAPIError.rateLimited(retryAfter: .seconds(600))) { _ = try await client.me() }
        #expect(governor.pausedUntil == nil)
    }

    @Test("a pause is never shortened")
    func pauseNeverShortened() {
        let clock = FakeClock()
        let governor = AsanaGovernor(configuration: .init(), now: clock.now, sleep: clock.sleep)
        governor.pause(for: .seconds(10))
        governor.pause(for: .seconds(3))
        #expect(governor.pausedUntil == clock.now() + .seconds(10))
    }

    @Test("slots are given back when the transport fails or Asana refuses")
    func slotReleasedOnFailure() async throws {
        let governor = AsanaGovernor(configuration: .init(maxConcurrentReads: 1, maxConcurrentWrites: 1))
        let transport = FakeTransport([.failure(ConnectionReset()), .asanaError(403, ["no"]), .data(#"{"gid":"1"}"#)])
        let client = AsanaClient(token: testToken, transport: transport, governor: governor, logger: silent)
        await #expect(throws: AsanaAPIError.transport("connection reset by peer")) {
            try await client.removeUser("7", fromWorkspace: "1000")
        }
        await #expect(throws: AsanaAPIError.forbidden(message: "no")) { _ = try await client.me() }
        #expect(try await client.me().gid == "1")
        #expect(governor.inFlightReads == 0 && governor.inFlightWrites == 0)
    }

    @Test("a waiter cancelled in the slot queue leaves without taking a slot")
    func cancelledSlotWaiter() async throws {
        let governor = AsanaGovernor(configuration: .init(maxConcurrentReads: 1))
        try await governor.acquire(.read)
        let waiter = Task { try await governor.acquire(.read) }
        #expect(await eventually { governor.queued(.read) == 1 })

        waiter.cancel()
        await #expect(throws: CancellationError.self) { try await waiter.value }
        #expect(governor.queued(.read) == 0)
        #expect(governor.inFlightReads == 1)

        governor.release(.read)
        #expect(governor.inFlightReads == 0)
        try await governor.acquire(.read)
        #expect(governor.inFlightReads == 1)
        governor.release(.read)
    }

    @Test("a waiter cancelled while waiting for the budget gives its slot back")
    func cancelledBudgetWaiter() async throws {
        let governor = AsanaGovernor(
            configuration: .init(requestsPerMinute: 1, maxConcurrentWrites: 1),
            // Parks until cancelled: the test never waits for it to elapse.
            sleep: { _ in try await Task.sleep(for: .seconds(86_400)) })
        try await governor.acquire(.write)
        governor.release(.write)
        let waiter = Task { try await governor.acquire(.write) }
        #expect(await eventually { governor.inFlightWrites == 1 })

        waiter.cancel()
        await #expect(throws: CancellationError.self) { try await waiter.value }
        #expect(governor.inFlightWrites == 0)
        #expect(governor.waits == 0)
    }

    @Test("an already cancelled task gets CancellationError and takes nothing")
    func alreadyCancelled() async throws {
        let governor = AsanaGovernor(configuration: .init(maxConcurrentReads: 1))
        let task = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            try await governor.acquire(.read)
        }
        await #expect(throws: CancellationError.self) { try await task.value }
        #expect(governor.inFlightReads == 0)
    }

    @Test("the registry gives one governor per key, with the shared configuration")
    func registry() {
        let governors = AsanaGovernors(configuration: .init(requestsPerMinute: 150))
        let a = governors.governor(for: "1000/sync")
        #expect(a === governors.governor(for: "1000/sync"))
        #expect(a !== governors.governor(for: "1000/provision"))
        #expect(a.configuration == AsanaGovernorConfiguration(requestsPerMinute: 150))
        #expect(AsanaGovernorConfiguration() == .init(requestsPerMinute: 1500, maxConcurrentReads: 16, maxConcurrentWrites: 8))
    }
}

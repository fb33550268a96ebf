import Synchronization

/// Keeps every request of one Asana token within Asana's limits (https://developers.asana.com/docs/rate-limits): one per token or
/// credential, shared by every ``AsanaClient`` that uses it (see ``AsanaGovernors``).
///
/// Before each HTTP attempt the client calls ``acquire(_:)``, which waits (suspending) until
/// 1. a concurrency slot of the request's kind is free (``AsanaGovernorConfiguration/maxConcurrentReads``
///    for GET, ``AsanaGovernorConfiguration/maxConcurrentWrites`` for POST; waiters are served first come,
///    first served),
/// 2. any pause recorded with ``pause(until:)`` has passed (a 429 of one request makes every request of
///    the token wait its `Retry-After`, so they do not all hit the limit again, https://github.com/Asana/node-asana/issues/210), and
/// 3. the sliding 60-second budget has room: at most ``AsanaGovernorConfiguration/requestsPerMinute``
///    requests counted when sent; a full budget waits until the oldest counted one is 60 s old.
///
/// Before sleeping for a pause or the budget, ``acquire(_:)`` tells the task's ``AsanaRateLimitWait/observer`` why and
/// for how long. After the answer arrives (or the attempt failed) the client calls ``release(_:)``. A waiter that is
/// cancelled throws `CancellationError` and leaves no slot taken. Times come from the injected `now`
/// and waits use the injected `sleep`, so tests run on a fake clock. Safe to share between tasks.
public final class AsanaGovernor: Sendable {
    /// Which concurrency cap a request counts against (https://developers.asana.com/docs/rate-limits).
    public enum RequestKind: Sendable, Equatable {
        /// GET.
        case read
        /// POST, PUT, PATCH, DELETE.
        case write
    }

    /// The limits, as given (values below 1 are used as 1).
    public let configuration: AsanaGovernorConfiguration

    /// Length of the request budget's sliding window (Asana's per-minute limiter, https://developers.asana.com/docs/rate-limits).
    public static let window: Duration = .seconds(60)

    private let now: @Sendable () -> ContinuousClock.Instant
    private let sleep: @Sendable (Duration) async throws -> Void
    private let state: Mutex<State>

    private struct Waiter {
        let id: UInt64
        let continuation: CheckedContinuation<Void, any Error>
    }

    private struct Lane {
        let limit: Int
        var inFlight = 0
        var peak = 0
        var waiters: [Waiter] = []

        mutating func take() {
            inFlight += 1
            peak = max(peak, inFlight)
        }
    }

    private struct State {
        var reads: Lane
        var writes: Lane
        /// Send times of the requests in the current window, oldest first.
        var sent: [ContinuousClock.Instant] = []
        var pausedUntil: ContinuousClock.Instant?
        var waits = 0
        var nextWaiterID: UInt64 = 0

        subscript(kind: RequestKind) -> Lane {
            get { kind == .read ? reads : writes }
            set {
                if kind == .read { reads = newValue } else { writes = newValue }
            }
        }
    }

    /// Creates a governor with no request in flight and an empty budget.
    ///
    /// - Parameters:
    ///   - configuration: the caps and the per-minute budget.
    ///   - now: the clock; tests inject a fake one.
    ///   - sleep: waits for the budget or a pause; must throw `CancellationError` when the task is
    ///     cancelled (as `Task.sleep` does). Tests inject one that advances the fake clock.
    public init(
        configuration: AsanaGovernorConfiguration,
        now: @escaping @Sendable () -> ContinuousClock.Instant = { .now },
        sleep: @escaping @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) }
    ) {
        self.configuration = configuration
        self.now = now
        self.sleep = sleep
        self.state = Mutex(
            State(
                reads: Lane(limit: max(1, configuration.maxConcurrentReads)),
                writes: Lane(limit: max(1, configuration.maxConcurrentWrites))))
    }

    private var budget: Int { max(1, configuration.requestsPerMinute) }

    // MARK: - Permits

    /// Waits until a request of `kind` may be sent, then counts it as sent and in flight.
    ///
    /// Every successful call must be balanced by one ``release(_:)`` once the answer arrived.
    /// - Throws: `CancellationError` when the task is cancelled while waiting (or what `sleep` throws);
    ///   nothing is then taken.
    public func acquire(_ kind: RequestKind) async throws {
        var waited = false
        let free = state.withLock { state in
            guard state[kind].waiters.isEmpty, state[kind].inFlight < state[kind].limit else { return false }
            state[kind].take()
            return true
        }
        if !free {
            waited = true
            try await waitForSlot(kind)
        }
        // Holding the slot: wait for a pause to pass and for room in the budget.
        do {
            while true {
                try Task.checkCancellation()
                let wait: AsanaRateLimitWait? = state.withLock { state in
                    let instant = now()
                    if let until = state.pausedUntil, until > instant { return AsanaRateLimitWait(reason: .rateLimited, duration: until - instant) }
                    while let oldest = state.sent.first, oldest + Self.window <= instant {
                        state.sent.removeFirst()
                    }
                    if state.sent.count >= budget, let oldest = state.sent.first {
                        return AsanaRateLimitWait(reason: .requestBudget, duration: oldest + Self.window - instant)
                    }
                    state.sent.append(instant)
                    if waited { state.waits += 1 }
                    return nil
                }
                guard let wait else { return }
                waited = true
                await AsanaRateLimitWait.observer?.tell(wait)
                try await sleep(wait.duration)
            }
        } catch {
            release(kind)
            throw error
        }
    }

    /// Frees the slot of a request of `kind` whose answer arrived, handing it to the longest waiter.
    public func release(_ kind: RequestKind) {
        let next: Waiter? = state.withLock { state in
            if !state[kind].waiters.isEmpty {
                // The slot passes to the waiter: in-flight count unchanged.
                return state[kind].waiters.removeFirst()
            }
            state[kind].inFlight = max(0, state[kind].inFlight - 1)
            return nil
        }
        next?.continuation.resume()
    }

    /// Queues for a slot of `kind` until ``release(_:)`` hands one over; leaves the queue on cancellation.
    private func waitForSlot(_ kind: RequestKind) async throws {
        let id = state.withLock { state in
            state.nextWaiterID += 1
            return state.nextWaiterID
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let immediate: Result<Void, any Error>? = state.withLock { state in
                    if Task.isCancelled { return .failure(CancellationError()) }
                    if state[kind].waiters.isEmpty, state[kind].inFlight < state[kind].limit {
                        state[kind].take()
                        return .success(())
                    }
                    state[kind].waiters.append(Waiter(id: id, continuation: continuation))
                    return nil
                }
                if let immediate { continuation.resume(with: immediate) }
            }
        } onCancel: {
            let cancelled: Waiter? = state.withLock { state in
                guard let index = state[kind].waiters.firstIndex(where: { $0.id == id }) else { return nil }
                return state[kind].waiters.remove(at: index)
            }
            cancelled?.continuation.resume(throwing: CancellationError())
        }
        // Cancelled just as the slot was handed over: give it back.
        if Task.isCancelled {
            release(kind)
            throw CancellationError()
        }
    }

    // MARK: - Pauses

    /// Makes every request of the token wait until `deadline` (a 429's `Retry-After`, https://developers.asana.com/docs/rate-limits).
    /// A pause never shortens one already recorded.
    public func pause(until deadline: ContinuousClock.Instant) {
        state.withLock { state in
            if let current = state.pausedUntil, current >= deadline { return }
            state.pausedUntil = deadline
        }
    }

    /// ``pause(until:)`` with `duration` from now on the governor's clock.
    public func pause(for duration: Duration) {
        pause(until: now() + duration)
    }

    // MARK: - Statistics (read-only; for tests and metrics)

    /// GET requests in flight now.
    public var inFlightReads: Int { state.withLock { $0.reads.inFlight } }
    /// POST requests in flight now.
    public var inFlightWrites: Int { state.withLock { $0.writes.inFlight } }
    /// Most GET requests ever in flight at once.
    public var peakReads: Int { state.withLock { $0.reads.peak } }
    /// Most POST requests ever in flight at once.
    public var peakWrites: Int { state.withLock { $0.writes.peak } }
    /// Acquisitions that had to wait (for a slot, a pause or the budget) before they were granted.
    public var waits: Int { state.withLock { $0.waits } }
    /// The end of the current or last pause, `nil` when none was recorded.
    public var pausedUntil: ContinuousClock.Instant? { state.withLock { $0.pausedUntil } }
    /// Requests counted in the sliding window as of the last acquisition (older ones are dropped lazily).
    public var requestsInWindow: Int { state.withLock { $0.sent.count } }

    /// Tasks queued for a slot of `kind` (tests).
    func queued(_ kind: RequestKind) -> Int { state.withLock { $0[kind].waiters.count } }
}

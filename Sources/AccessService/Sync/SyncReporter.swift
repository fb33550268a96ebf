import AccessProtocol
import AsanaAPI
import Synchronization

/// Tells a running sync's phases to its `progress` callback (`sync.progress`, protocol.md §8) and remembers which
/// phases are still being read, for the deadline error. Phases run at once (the people listing beside the workspace
/// and its teams), so calls come from several tasks; the callback must accept that.
struct SyncReporter: Sendable {
    let workspace: String
    let phases: SyncPhases
    let progress: @Sendable (Sync.Progress) async -> Void
    /// The end of the last `waiting` told, so the many requests held by one pause tell it once.
    let waits = SyncWaits()

    /// A budget wait this short is not told: the budget holds requests back for moments all the time when it is nearly
    /// spent, and a notification for each would say nothing useful.
    static let shortestBudgetWait: Duration = .seconds(1)

    /// Sends one notification.
    func report(_ phase: String, done: Int = 0, total: Int? = nil) async {
        await progress(Sync.Progress(workspace: workspace, phase: phase, done: done, total: total))
    }

    /// Tells a `waiting` notification for a request of this sync about to sleep on Asana's rate limit (installed as
    /// ``AsanaRateLimitWait/observer`` while the sync reads): a 429's wait always, a budget wait of more than
    /// ``shortestBudgetWait``; once for all the requests held by the same wait (only a wait that ends more than a second
    /// after the last one told is told again).
    func waiting(_ wait: AsanaRateLimitWait) async {
        if wait.reason == .requestBudget, wait.duration <= Self.shortestBudgetWait { return }
        guard waits.claim(until: .now + wait.duration) else { return }
        let reason: Sync.WaitReason = wait.reason == .rateLimited ? .rateLimited : .requestBudget
        await progress(.waiting(workspace: workspace, seconds: Self.wholeSeconds(wait.duration), reason: reason))
    }

    /// `duration` in whole seconds, rounded up, at least 1.
    static func wholeSeconds(_ duration: Duration) -> Int {
        let (seconds, attoseconds) = duration.components
        return max(1, Int(seconds) + (attoseconds > 0 ? 1 : 0))
    }

    /// Reads one listing as phase `phase`: announced with `done` 0 when it starts, and again with `done` = `total` =
    /// the records read when it has them all. A listing that fails sends no second notification.
    func listing<Element: Sendable>(_ phase: String, _ read: () async throws -> [Element]) async throws -> [Element] {
        try await reading(phase) {
            await report(phase)
            let records = try await read()
            await report(phase, done: records.count, total: records.count)
            return records
        }
    }

    /// Runs `body` while `phase` counts as being read (see ``SyncPhases``).
    func reading<Value>(_ phase: String, _ body: () async throws -> Value) async throws -> Value {
        phases.begin(phase)
        do {
            let value = try await body()
            phases.end(phase)
            return value
        } catch is CancellationError {
            throw CancellationError()  // still "reading": the deadline error names it
        } catch {
            phases.end(phase)
            throw error
        }
    }
}

/// The phases a running sync is reading now (`workspace`, `workspaceMemberships`, `teamMemberships`, …), for the
/// `phase` of `sync.deadline_exceeded`: the one that started first among those not finished (the listing the sync
/// still waits for), else the last one started. A phase cut off by cancellation stays "being read".
final class SyncPhases: Sendable {
    private let state = Mutex<(reading: [String], last: String)>(([], "workspace"))

    /// See the type's description.
    var value: String { state.withLock { $0.reading.first ?? $0.last } }

    func begin(_ phase: String) {
        state.withLock { state in
            state.reading.append(phase)
            state.last = phase
        }
    }

    func end(_ phase: String) {
        state.withLock { state in
            if let index = state.reading.firstIndex(of: phase) { state.reading.remove(at: index) }
        }
    }
}

/// The end of the last rate-limit wait a sync told (see ``SyncReporter/waiting(_:)``).
final class SyncWaits: Sendable {
    private let toldUntil = Mutex<ContinuousClock.Instant?>(nil)

    /// Whether a wait until `end` should be told: none told yet, or it ends more than a second after the last one told
    /// (which it then becomes).
    func claim(until end: ContinuousClock.Instant) -> Bool {
        toldUntil.withLock { told in
            if let told, end <= told + .seconds(1) { return false }
            told = end
            return true
        }
    }
}

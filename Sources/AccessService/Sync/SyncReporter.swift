import AccessProtocol
import Synchronization

/// Tells a running sync's phases to its `progress` callback (`sync.progress`, protocol.md §8) and remembers which
/// phases are still being read, for the deadline error. Phases run at once (the people listing beside the workspace
/// and its teams), so calls come from several tasks; the callback must accept that.
struct SyncReporter: Sendable {
    let workspace: String
    let phases: SyncPhases
    let progress: @Sendable (Sync.Progress) async -> Void

    /// Sends one notification.
    func report(_ phase: String, done: Int = 0, total: Int? = nil) async {
        await progress(Sync.Progress(workspace: workspace, phase: phase, done: done, total: total))
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

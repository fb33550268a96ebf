import AccessProtocol
import AccessStore
import Foundation
import LineRPC
import Logging
import Synchronization

/// The sync schedule of each workspace, shared by ``SyncScheduler`` (which runs syncs), `sync` (whose outcomes,
/// manual or scheduled, move the schedule) and `getWorkspaceStatus` (which shows it).
///
/// Kept in the store (``ScheduleStore``), so every server sharing it shows the same schedule and a restart keeps
/// the next run times, pauses and capabilities. Only this server's scheduler interval lives here in memory: the
/// syncs of a server whose scheduler is off do not set next run times (the scheduling server's finished-run guard
/// spaces its turns from them instead).
///
/// A failure to read or write the schedule never fails the call that moves it: it is logged and the scheduler
/// tries again at its next look.
public final class SyncSchedule: Sendable {
    /// Errors that mean Asana refused the credential itself (401) or the call made with it (403).
    static let refusalErrors: Set<ErrorKind> = [.upstreamUnauthorized, .upstreamForbidden]

    /// Errors that mean "this credential will not work until someone stores a new one".
    static let pausingErrors: Set<ErrorKind> = [.upstreamUnauthorized, .credentialUnreadable, .credentialReauthorizationRequired]

    let store: any ScheduleStore & LeaseStore
    let logger: Logger
    /// Seconds between scheduled syncs of one workspace, while this server's scheduler runs; nil otherwise.
    private let activeInterval = Mutex<TimeInterval?>(nil)

    init(store: any ScheduleStore & LeaseStore, logger: Logger) {
        self.store = store
        self.logger = logger
    }

    var interval: TimeInterval? { activeInterval.withLock { $0 } }

    /// A scheduler started with this interval.
    func activate(interval: TimeInterval) {
        activeInterval.withLock { $0 = interval }
    }

    /// The scheduler stopped (the stored schedule stays, for the next scheduler on the store).
    func deactivate() {
        activeInterval.withLock { $0 = nil }
    }

    /// A sync of `workspace` (any trigger) succeeded: remember its capabilities, lift a pause, next run one interval later.
    func succeeded(workspace: String, capabilities: Sync.Capabilities, at: Date) async {
        let interval = interval
        await modify(workspace) { entry in
            entry.capabilities = capabilities
            entry.pause = nil
            entry.refusedFingerprint = nil
            if let interval { entry.nextRunAt = at.addingTimeInterval(interval) }
        }
    }

    /// A sync of `workspace` (any trigger) failed with `error` while using the credential with `fingerprint`.
    /// A credential failure pauses the schedule; any other failure waits for the next interval.
    func failed(workspace: String, error: RPCError, fingerprint: String?, at: Date) async {
        guard error.kind != .syncInProgress else { return }
        let interval = interval
        await modify(workspace) { entry in
            if let kind = error.kind, Self.refusalErrors.contains(kind) {
                entry.refusedFingerprint = fingerprint
            }
            if let kind = error.kind, Self.pausingErrors.contains(kind) {
                entry.pause = .init(reason: "\(error.message) (\(error.code) \(kind.name)); scheduled syncs of this workspace are paused until a new credential is stored for it",
                                    fingerprint: fingerprint)
                entry.nextRunAt = nil
            } else if let interval {
                entry.nextRunAt = at.addingTimeInterval(interval)
            }
        }
    }

    /// A credential of `workspace` was stored: a paused schedule resumes, with a sync at the scheduler's next look.
    func credentialStored(workspace: String, at: Date) async {
        await modify(workspace) { entry in
            entry.refusedFingerprint = nil
            guard entry.pause != nil else { return }
            entry.pause = nil
            entry.nextRunAt = at
        }
    }

    /// The last sync of `workspace` was interrupted (its server died): unless paused, its turn comes at `at`.
    func interrupted(workspace: String, at: Date) async {
        await modify(workspace) { entry in
            if entry.pause == nil { entry.nextRunAt = at }
        }
    }

    /// Whether a scheduled sync of `workspace` is due at `now`, for the scheduler's tick.
    ///
    /// A workspace without a next run time (never scheduled, or its time lies beyond one interval from now: the
    /// interval was shortened) gets `firstRunAt`. A paused one resumes (due at once) when its credential's
    /// fingerprint is no longer the one that failed (stored by another process, e.g. `asana-accessd credentials
    /// put`). A due workspace's next run is set one interval ahead until the sync's outcome sets it again.
    /// - Parameter firstRunAt: the first turn of a workspace without one, nil when not known yet.
    /// - Returns: whether a sync is due; nil, changing nothing, when the workspace needs its first turn and
    ///   `firstRunAt` is nil: the scheduler works it out from the store and asks again with it.
    /// - Throws: what the store throws.
    func takeIfDue(workspace: String, fingerprint: String, now: Date, firstRunAt: Date?) async throws -> Bool? {
        guard let interval else { return false }
        return try await store.modifyWorkspaceSchedule(workspace) { entry -> Bool? in
            if let pause = entry.pause {
                guard pause.fingerprint != fingerprint else { return false }
                entry.pause = nil
                entry.nextRunAt = now
            }
            if let next = entry.nextRunAt, next.timeIntervalSince(now) > interval { entry.nextRunAt = nil }
            if entry.nextRunAt == nil {
                guard let firstRunAt else { return nil }
                entry.nextRunAt = firstRunAt
            }
            guard let due = entry.nextRunAt, due <= now else { return false }
            // Placeholder until the outcome is known (a sync that throws something other than an RPC error sets nothing).
            entry.nextRunAt = now.addingTimeInterval(interval)
            return true
        }
    }

    /// A scheduled turn was skipped because another sync of `workspace` was running or had just finished: try
    /// again one interval after `at` (a running sync's own outcome moves this when it finishes).
    func skipped(workspace: String, at: Date) async {
        guard let interval else { return }
        await modify(workspace) { entry in
            guard entry.pause == nil else { return }
            entry.nextRunAt = at.addingTimeInterval(interval)
        }
    }

    /// Whether `entry` (as read from the store) has nothing for ``takeIfDue(workspace:fingerprint:now:firstRunAt:)``
    /// to do at `now`: its next run is set, not due and within one interval, or it is paused and its credential is
    /// still the one that failed. The scheduler skips such a workspace without a write.
    func isWaiting(_ entry: WorkspaceSchedule, fingerprint: String, now: Date) -> Bool {
        guard let interval else { return true }
        if let pause = entry.pause { return pause.fingerprint == fingerprint }
        guard let next = entry.nextRunAt else { return false }
        return next > now && next.timeIntervalSince(now) <= interval
    }

    /// Forgets the next run time and pause of workspaces that no longer have a credential that can sync
    /// (capabilities are kept).
    /// - Parameter stored: the schedules as just read from the store.
    func retainSchedules(of workspaces: Set<String>, stored: [String: WorkspaceSchedule]) async {
        for (workspace, entry) in stored where !workspaces.contains(workspace) && (entry.nextRunAt != nil || entry.pause != nil) {
            await modify(workspace) { entry in
                entry.nextRunAt = nil
                entry.pause = nil
            }
        }
    }

    /// What the metrics show of the schedule (``OperationalGauges``): whether this server's scheduler runs, the
    /// workspaces whose scheduled syncs are paused, and per workspace the fingerprint of the credential Asana
    /// refused at its last sync.
    /// - Throws: what the store throws.
    func observed() async throws -> (active: Bool, paused: Set<String>, refusedFingerprints: [String: String]) {
        let stored = try await store.workspaceSchedules()
        return (interval != nil,
                Set(stored.compactMap { $0.value.pause == nil ? nil : $0.key }),
                stored.compactMapValues(\.refusedFingerprint))
    }

    /// The schedule of `workspace` as `getWorkspaceStatus` shows it; `canSync` is whether it has a sync or provision credential.
    /// Active when this server's scheduler runs or another server's holds the workspace's schedule (lease
    /// `schedule:<gid>`), so every server on a shared store shows the same state.
    /// - Throws: what the store throws.
    func status(workspace: String, canSync: Bool) async throws
        -> (state: GetWorkspaceStatus.ScheduleState, nextRunAt: Date?, pausedReason: String?, capabilities: Sync.Capabilities?)
    {
        let entry = try await store.workspaceSchedules()[workspace] ?? WorkspaceSchedule()
        let lease = ScheduleLeases.prefix + workspace
        let scheduled = interval != nil ? true : try await store.leaseHolders(prefix: lease)[lease] != nil
        guard scheduled, canSync else { return (.disabled, nil, nil, entry.capabilities) }
        if let pause = entry.pause { return (.paused, nil, pause.reason, entry.capabilities) }
        return (.active, entry.nextRunAt, nil, entry.capabilities)
    }

    /// Changes the stored schedule of `workspace`; a store failure is logged, not thrown (see the type's note).
    private func modify(_ workspace: String, _ change: @escaping @Sendable (inout WorkspaceSchedule) -> Void) async {
        do {
            try await store.modifyWorkspaceSchedule(workspace, change)
        } catch {
            logger.warning("could not record the sync schedule", metadata: ["workspace": "\(workspace)", "error": "\(error)"])
        }
    }
}

import AccessProtocol
import AccessStore
import Foundation
import LineRPC

/// What the scheduler knows per workspace, shared by ``SyncScheduler`` (which runs syncs), `sync`
/// (whose outcomes, manual or scheduled, move the schedule) and `getWorkspaceStatus` (which shows it).
///
/// Held in memory only: after a restart the schedule starts from the recorded sync runs, a paused
/// workspace is tried once more, and capabilities are unknown until the next successful sync.
public actor SyncSchedule {
    struct Entry {
        /// When the next scheduled sync is due; nil before the scheduler looked at the workspace, or while paused.
        var nextRunAt: Date?
        /// Why scheduled syncs stopped, and the fingerprint of the credential that failed.
        var pause: (reason: String, fingerprint: String?)?
        /// What the last successful sync could read.
        var capabilities: Sync.Capabilities?
        /// The fingerprint of the credential Asana refused (401, 403) at the workspace's last sync; nil once a
        /// sync succeeded or a credential was stored since.
        var refusedFingerprint: String?
    }

    /// Errors that mean Asana refused the credential itself (401) or the call made with it (403).
    static let refusalErrors: Set<ErrorKind> = [.upstreamUnauthorized, .upstreamForbidden]

    /// Errors that mean "this credential will not work until someone stores a new one".
    static let pausingErrors: Set<ErrorKind> = [.upstreamUnauthorized, .credentialUnreadable, .credentialReauthorizationRequired]

    /// Seconds between scheduled syncs of one workspace, while a scheduler runs; nil otherwise.
    private(set) var interval: TimeInterval?
    private var entries: [String: Entry] = [:]

    public init() {}

    /// A scheduler started with this interval.
    func activate(interval: TimeInterval) {
        self.interval = interval
    }

    /// The scheduler stopped.
    func deactivate() {
        interval = nil
        for key in entries.keys { entries[key]?.nextRunAt = nil }
    }

    /// A sync of `workspace` (any trigger) succeeded: remember its capabilities, lift a pause, next run one interval later.
    func succeeded(workspace: String, capabilities: Sync.Capabilities, at: Date) {
        var entry = entries[workspace] ?? Entry()
        entry.capabilities = capabilities
        entry.pause = nil
        entry.refusedFingerprint = nil
        if let interval { entry.nextRunAt = at.addingTimeInterval(interval) }
        entries[workspace] = entry
    }

    /// A sync of `workspace` (any trigger) failed with `error` while using the credential with `fingerprint`.
    /// A credential failure pauses the schedule; any other failure waits for the next interval.
    func failed(workspace: String, error: RPCError, fingerprint: String?, at: Date) {
        guard error.kind != .syncInProgress else { return }
        var entry = entries[workspace] ?? Entry()
        if let kind = error.kind, Self.refusalErrors.contains(kind) {
            entry.refusedFingerprint = fingerprint
        }
        if let kind = error.kind, Self.pausingErrors.contains(kind) {
            entry.pause = ("\(error.message) (\(error.code) \(kind.name)); scheduled syncs of this workspace are paused until a new credential is stored for it", fingerprint)
            entry.nextRunAt = nil
        } else if let interval {
            entry.nextRunAt = at.addingTimeInterval(interval)
        }
        entries[workspace] = entry
    }

    /// A credential of `workspace` was stored: a paused schedule resumes, with a sync at the next tick.
    func credentialStored(workspace: String, at: Date) {
        entries[workspace]?.refusedFingerprint = nil
        guard var entry = entries[workspace], entry.pause != nil else { return }
        entry.pause = nil
        entry.nextRunAt = interval == nil ? nil : at
        entries[workspace] = entry
    }

    /// Whether a scheduled sync of `workspace` is due at `now`, for the scheduler's tick.
    ///
    /// A workspace seen for the first time gets `firstRunAt`. A paused one resumes (due at once) when
    /// its credential's fingerprint is no longer the one that failed (stored by another process, e.g.
    /// `asana-accessd credentials put`). A due workspace's `nextRunAt` is cleared until the sync's
    /// outcome sets it again.
    /// - Parameter firstRunAt: the first turn of a workspace seen for the first time, nil when not known yet.
    /// - Returns: whether a sync is due; nil, changing nothing, when the workspace needs its first turn and
    ///   `firstRunAt` is nil: the scheduler reads it from the store (which suspends, so not inside this
    ///   actor's call) and asks again with it.
    func takeIfDue(workspace: String, fingerprint: String, now: Date, firstRunAt: Date?) -> Bool? {
        guard let interval else { return false }
        var entry = entries[workspace] ?? Entry()
        if let pause = entry.pause {
            guard pause.fingerprint != fingerprint else { return false }
            entry.pause = nil
            entry.nextRunAt = now
        }
        if entry.nextRunAt == nil {
            guard let firstRunAt else { return nil }
            entry.nextRunAt = firstRunAt
        }
        defer { entries[workspace] = entry }
        guard let due = entry.nextRunAt, due <= now else { return false }
        // Placeholder until the outcome is known (a sync that throws something other than an RPC error sets nothing).
        entry.nextRunAt = now.addingTimeInterval(interval)
        return true
    }

    /// A scheduled turn was skipped because another sync of `workspace` was running: try again one interval later
    /// (the running sync's own outcome moves this when it finishes).
    func skipped(workspace: String, at: Date) {
        guard let interval, entries[workspace]?.pause == nil else { return }
        entries[workspace, default: Entry()].nextRunAt = at.addingTimeInterval(interval)
    }

    /// Forgets the schedule of workspaces that no longer have a credential that can sync (capabilities are kept).
    func retainSchedules(of workspaces: Set<String>) {
        for key in entries.keys where !workspaces.contains(key) {
            entries[key]?.nextRunAt = nil
            entries[key]?.pause = nil
        }
    }

    /// What the metrics show of the schedule (``OperationalGauges``): whether a scheduler runs, the workspaces
    /// whose scheduled syncs are paused, and per workspace the fingerprint of the credential Asana refused at
    /// its last sync.
    func observed() -> (active: Bool, paused: Set<String>, refusedFingerprints: [String: String]) {
        (interval != nil,
         Set(entries.compactMap { $0.value.pause == nil ? nil : $0.key }),
         entries.compactMapValues(\.refusedFingerprint))
    }

    /// The schedule of `workspace` as `getWorkspaceStatus` shows it; `canSync` is whether it has a sync or provision credential.
    func status(workspace: String, canSync: Bool) -> (state: GetWorkspaceStatus.ScheduleState, nextRunAt: Date?, pausedReason: String?, capabilities: Sync.Capabilities?) {
        let entry = entries[workspace]
        guard interval != nil, canSync else { return (.disabled, nil, nil, entry?.capabilities) }
        if let pause = entry?.pause { return (.paused, nil, pause.reason, entry?.capabilities) }
        return (.active, entry?.nextRunAt, nil, entry?.capabilities)
    }
}

import AccessProtocol
import Foundation

/// What the sync scheduler keeps of one workspace, in the store so that every server sharing it sees the same
/// schedule and a restart keeps it: the next scheduled sync, a pause after a credential failure, and what the last
/// successful sync could read.
public struct WorkspaceSchedule: Sendable, Equatable {
    /// Why scheduled syncs of the workspace stopped, and which credential failed.
    public struct Pause: Sendable, Equatable {
        /// The failing sync's error message and code, and what to do (shown by `getWorkspaceStatus`).
        public var reason: String
        /// The fingerprint of the credential that failed; a credential with another fingerprint resumes the schedule.
        public var fingerprint: String?

        public init(reason: String, fingerprint: String?) {
            self.reason = reason
            self.fingerprint = fingerprint
        }
    }

    /// When the next scheduled sync is due; nil before a scheduler first looked at the workspace, or while paused.
    public var nextRunAt: Date?
    /// Set while scheduled syncs are paused.
    public var pause: Pause?
    /// What the last successful sync could read; nil before one succeeded.
    public var capabilities: Sync.Capabilities?
    /// The fingerprint of the credential Asana refused (401, 403) at the workspace's last sync; nil once a sync
    /// succeeded or a credential was stored since.
    public var refusedFingerprint: String?

    public init(nextRunAt: Date? = nil, pause: Pause? = nil, capabilities: Sync.Capabilities? = nil, refusedFingerprint: String? = nil) {
        self.nextRunAt = nextRunAt
        self.pause = pause
        self.capabilities = capabilities
        self.refusedFingerprint = refusedFingerprint
    }
}

/// The sync schedule of every workspace (``WorkspaceSchedule``), shared by the servers on the store.
///
/// Times are kept to the millisecond. A workspace without a stored schedule reads as `WorkspaceSchedule()`.
public protocol ScheduleStore: Sendable {
    /// Every stored schedule, by workspace gid.
    func workspaceSchedules() async throws -> [String: WorkspaceSchedule]

    /// Changes the schedule of `workspaceGid` (an empty one when none is stored) in one transaction: `change`
    /// sees the committed schedule and other servers' changes of the same workspace wait for this one, so a
    /// read-modify-write never loses another's write.
    /// - Returns: what `change` returns.
    func modifyWorkspaceSchedule<T: Sendable>(_ workspaceGid: String, _ change: @escaping @Sendable (inout WorkspaceSchedule) -> T) async throws -> T
}

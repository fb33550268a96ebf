import Foundation

/// One sync of one workspace, as recorded.
public struct SyncRun: Codable, Sendable, Equatable {
    /// Row id, increasing.
    public var id: Int64
    /// Asana workspace gid.
    public var workspaceGid: String
    /// Who or what started it (for example `"rpc:alice"` or `"schedule"`).
    public var trigger: String
    /// Current state.
    public var status: SyncRunStatus
    /// When the run started (millisecond precision).
    public var startedAt: Date
    /// When it finished; nil while running.
    @Nullable public var finishedAt: Date?
    /// The snapshot's counts, when one was applied.
    @Nullable public var counts: SnapshotCounts?
    /// HTTP requests sent to Asana, retries included.
    public var apiCalls: Int
    /// 429 answers among them (Asana's rate limits, https://developers.asana.com/docs/rate-limits).
    public var rateLimited: Int
    /// Why it failed or stopped (no secrets).
    @Nullable public var error: String?

    /// Creates a value from all of its fields.
    public init(id: Int64, workspaceGid: String, trigger: String, status: SyncRunStatus, startedAt: Date, finishedAt: Date?, counts: SnapshotCounts?, apiCalls: Int, rateLimited: Int = 0, error: String?) {
        self.id = id
        self.workspaceGid = workspaceGid
        self.trigger = trigger
        self.status = status
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.counts = counts
        self.apiCalls = apiCalls
        self.rateLimited = rateLimited
        self.error = error
    }
}

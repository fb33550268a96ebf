import AccessProtocol
import Foundation

/// The record of sync runs: started, finished (with counts), listed.
public protocol SyncRunStore: Sendable {
    /// Records a new run with status `running`.
    /// - Returns: its id.
    /// - Throws: ``AccessStoreError/invalidArgument(_:)`` for an empty workspace gid.
    func startSyncRun(workspaceGid: String, trigger: String, at: Date) async throws -> Int64

    /// Records the end of a run. When `status` is `succeeded`, the workspace (if stored) gets
    /// `lastSyncRunId = id`, in the same transaction.
    /// - Parameters:
    ///   - counts: what the run's snapshot changed; nil for a run that committed nothing.
    ///   - apiCalls: requests sent to Asana; `rateLimited`: those answered 429.
    ///   - error: why the run failed or what it skipped; nil otherwise.
    /// - Throws: ``AccessStoreError/invalidArgument(_:)`` when `status` is `running`, or `apiCalls` or `rateLimited` < 0;
    ///   ``AccessStoreError/syncRunNotFound(id:)``; ``AccessStoreError/syncRunAlreadyFinished(id:)``.
    func finishSyncRun(id: Int64, status: SyncRunStatus, counts: SnapshotCounts?, apiCalls: Int, rateLimited: Int, error: String?, at: Date) async throws

    /// The run with this id, or nil.
    func syncRun(id: Int64) async throws -> SyncRun?

    /// The latest runs, newest first, of one workspace or (nil) of all.
    /// - Throws: ``AccessStoreError/invalidQuery(_:)`` unless `limit` is in 1...``StoreLimits/maxSyncRunsLimit``.
    func syncRuns(workspaceGid: String?, limit: Int) async throws -> [SyncRun]

    /// Marks the runs still `running` as `failed` with `reason`: every workspace's (`workspaceGid` nil) at the start
    /// of a server that owns the store alone, when no run of a previous process can still be going; one workspace's
    /// while holding its sync lease, when no other server can be running one (a dead server's run, left behind).
    /// - Returns: how many runs were marked.
    @discardableResult
    func failRunningSyncRuns(workspaceGid: String?, reason: String, at: Date) async throws -> Int
}

extension SyncRunStore {
    /// Marks every workspace's runs still `running` as `failed` (see ``failRunningSyncRuns(workspaceGid:reason:at:)``).
    @discardableResult
    public func failRunningSyncRuns(reason: String, at: Date) async throws -> Int {
        try await failRunningSyncRuns(workspaceGid: nil, reason: reason, at: at)
    }

    /// ``finishSyncRun(id:status:counts:apiCalls:rateLimited:error:at:)`` of a run no request of which was rate limited.
    public func finishSyncRun(id: Int64, status: SyncRunStatus, counts: SnapshotCounts?, apiCalls: Int, error: String?, at: Date) async throws {
        try await finishSyncRun(id: id, status: status, counts: counts, apiCalls: apiCalls, rateLimited: 0, error: error, at: at)
    }
}

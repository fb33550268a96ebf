import AccessProtocol
import Foundation
import GRDB

extension SQLiteAccessStore {
    /// Records a new run with status `running`.
    /// - Returns: its id.
    /// - Throws: ``AccessStoreError/invalidArgument(_:)`` for an empty workspace gid.
    public func startSyncRun(workspaceGid: String, trigger: String, at: Date) async throws -> Int64 {
        guard !workspaceGid.isEmpty else { throw AccessStoreError.invalidArgument("the workspace gid is empty") }
        return try await dbWriter.write { db in
            try db.execute(
                sql: "INSERT INTO syncRun (workspaceGid, runTrigger, status, startedAt) VALUES (?, ?, ?, ?)",
                arguments: [workspaceGid, trigger, SyncRunStatus.running.rawValue, UnixMillis.from(at)])
            return db.lastInsertedRowID
        }
    }

    /// Records the end of a run. When `status` is `succeeded`, the workspace (if stored) gets
    /// `lastSyncRunId = id`.
    /// - Throws: ``AccessStoreError/invalidArgument(_:)`` when `status` is `running`, or `apiCalls` or `rateLimited` < 0;
    ///   ``AccessStoreError/syncRunNotFound(id:)``; ``AccessStoreError/syncRunAlreadyFinished(id:)``.
    public func finishSyncRun(id: Int64, status: SyncRunStatus, counts: SnapshotCounts?, apiCalls: Int, rateLimited: Int, error: String?, at: Date) async throws {
        guard status != .running else { throw AccessStoreError.invalidArgument("a run cannot finish as running") }
        guard apiCalls >= 0 else { throw AccessStoreError.invalidArgument("apiCalls is negative") }
        guard rateLimited >= 0 else { throw AccessStoreError.invalidArgument("rateLimited is negative") }
        try await dbWriter.write { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT workspaceGid, status FROM syncRun WHERE id = ?", arguments: [id]) else {
                throw AccessStoreError.syncRunNotFound(id: id)
            }
            guard row["status"] as String == SyncRunStatus.running.rawValue else {
                throw AccessStoreError.syncRunAlreadyFinished(id: id)
            }
            try db.execute(
                sql: """
                    UPDATE syncRun SET status = ?, finishedAt = ?, countUsers = ?, countAdded = ?, countUpdated = ?,
                        countDeparted = ?, countTeams = ?, countTeamMemberships = ?, apiCalls = ?, rateLimited = ?, error = ?
                    WHERE id = ?
                    """,
                arguments: [
                    status.rawValue, UnixMillis.from(at), counts?.users, counts?.added, counts?.updated,
                    counts?.departed, counts?.teams, counts?.teamMemberships, apiCalls, rateLimited, error, id,
                ])
            if status == .succeeded {
                try db.execute(
                    sql: "UPDATE workspace SET lastSyncRunId = ? WHERE gid = ?",
                    arguments: [id, row["workspaceGid"] as String])
            }
        }
    }

    /// The run with this id, or nil.
    public func syncRun(id: Int64) async throws -> SyncRun? {
        try await dbWriter.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM syncRun WHERE id = ?", arguments: [id]).map(Self.syncRun)
        }
    }

    /// The latest runs, newest first, of one workspace or (nil) of all.
    /// - Throws: ``AccessStoreError/invalidQuery(_:)`` unless `limit` is in 1...1000.
    public func syncRuns(workspaceGid: String?, limit: Int) async throws -> [SyncRun] {
        guard (1...StoreLimits.maxSyncRunsLimit).contains(limit) else {
            throw AccessStoreError.invalidQuery("limit must be between 1 and \(StoreLimits.maxSyncRunsLimit), got \(limit)")
        }
        return try await dbWriter.read { db in
            if let workspaceGid {
                return try Row.fetchAll(
                    db, sql: "SELECT * FROM syncRun WHERE workspaceGid = ? ORDER BY id DESC LIMIT ?",
                    arguments: [workspaceGid, limit]).map(Self.syncRun)
            }
            return try Row.fetchAll(db, sql: "SELECT * FROM syncRun ORDER BY id DESC LIMIT ?", arguments: [limit]).map(Self.syncRun)
        }
    }

    /// Marks every run still `running` as `failed` with `reason` — call once at server start, when no
    /// run of a previous process can still be going.
    /// - Returns: how many runs were marked.
    @discardableResult
    public func failRunningSyncRuns(workspaceGid: String?, reason: String, at: Date) async throws -> Int {
        try await dbWriter.write { db in
            try db.execute(
                sql: "UPDATE syncRun SET status = ?, finishedAt = ?, error = ? WHERE status = ? AND (? IS NULL OR workspaceGid = ?)",
                arguments: [SyncRunStatus.failed.rawValue, UnixMillis.from(at), reason, SyncRunStatus.running.rawValue, workspaceGid, workspaceGid])
            return db.changesCount
        }
    }

    static func syncRun(_ row: Row) -> SyncRun {
        var counts: SnapshotCounts?
        if let users = row["countUsers"] as Int? {
            counts = SnapshotCounts(
                users: users, added: row["countAdded"] ?? 0, updated: row["countUpdated"] ?? 0,
                departed: row["countDeparted"] ?? 0, teams: row["countTeams"] ?? 0,
                teamMemberships: row["countTeamMemberships"] ?? 0)
        }
        return SyncRun(
            id: row["id"], workspaceGid: row["workspaceGid"], trigger: row["runTrigger"],
            status: SyncRunStatus(rawValue: row["status"]) ?? .failed,
            startedAt: UnixMillis.date(row["startedAt"] as Int64),
            finishedAt: UnixMillis.date(row["finishedAt"] as Int64?),
            counts: counts, apiCalls: row["apiCalls"], rateLimited: row["rateLimited"] ?? 0, error: row["error"])
    }
}

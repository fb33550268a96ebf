import AccessProtocol
import Foundation
import Logging
import PostgresNIO

/// Sync runs in PostgreSQL, with the same answers as the SQLite store. Ids come from the identity column
/// `sync_run.id`: increasing, with possible holes (a rolled-back insert uses a number up).
extension PostgresAccessStore {
    public func startSyncRun(workspaceGid: String, trigger: String, at: Date) async throws -> Int64 {
        guard !workspaceGid.isEmpty else { throw AccessStoreError.invalidArgument("the workspace gid is empty") }
        let logger = self.logger
        return try await database.write { connection in
            let rows = try await connection.query("""
                INSERT INTO sync_run (workspace_gid, run_trigger, status, started_at)
                VALUES (\(workspaceGid), \(trigger), \(SyncRunStatus.running.rawValue), \(UnixMillis.from(at)))
                RETURNING id
                """, logger: logger).collect()
            return try rows[0].get("id", as: Int64.self)
        }
    }

    public func finishSyncRun(id: Int64, status: SyncRunStatus, counts: SnapshotCounts?, apiCalls: Int, rateLimited: Int,
                              error: String?, at: Date) async throws {
        guard status != .running else { throw AccessStoreError.invalidArgument("a run cannot finish as running") }
        guard apiCalls >= 0 else { throw AccessStoreError.invalidArgument("apiCalls is negative") }
        guard rateLimited >= 0 else { throw AccessStoreError.invalidArgument("rateLimited is negative") }
        let logger = self.logger
        try await database.write { connection in
            // FOR UPDATE: of two servers finishing the same run, the second waits and then sees it finished.
            guard let row = try await connection.query(
                "SELECT workspace_gid, status FROM sync_run WHERE id = \(id) FOR UPDATE", logger: logger
            ).collect().first else {
                throw AccessStoreError.syncRunNotFound(id: id)
            }
            guard try row.get("status", as: String.self) == SyncRunStatus.running.rawValue else {
                throw AccessStoreError.syncRunAlreadyFinished(id: id)
            }
            try await connection.query("""
                UPDATE sync_run SET status = \(status.rawValue), finished_at = \(UnixMillis.from(at)),
                    count_users = \(counts?.users), count_added = \(counts?.added), count_updated = \(counts?.updated),
                    count_departed = \(counts?.departed), count_teams = \(counts?.teams),
                    count_team_memberships = \(counts?.teamMemberships),
                    api_calls = \(apiCalls), rate_limited = \(rateLimited), error = \(error)
                WHERE id = \(id)
                """, logger: logger)
            if status == .succeeded {
                let workspaceGid = try row.get("workspace_gid", as: String.self)
                try await connection.query(
                    "UPDATE workspace SET last_sync_run_id = \(id) WHERE gid = \(workspaceGid)", logger: logger)
            }
        }
    }

    public func syncRun(id: Int64) async throws -> SyncRun? {
        let logger = self.logger
        return try await database.read { connection in
            try await connection.query(
                "SELECT \(unescaped: Self.syncRunColumns) FROM sync_run WHERE id = \(id)", logger: logger
            ).collect().first.map(Self.syncRun(from:))
        }
    }

    public func syncRuns(workspaceGid: String?, limit: Int) async throws -> [SyncRun] {
        guard (1...StoreLimits.maxSyncRunsLimit).contains(limit) else {
            throw AccessStoreError.invalidQuery("limit must be between 1 and \(StoreLimits.maxSyncRunsLimit), got \(limit)")
        }
        let logger = self.logger
        return try await database.read { connection in
            let query: PostgresQuery
            if let workspaceGid {
                query = """
                    SELECT \(unescaped: Self.syncRunColumns) FROM sync_run WHERE workspace_gid = \(workspaceGid)
                    ORDER BY id DESC LIMIT \(limit)
                    """
            } else {
                query = "SELECT \(unescaped: Self.syncRunColumns) FROM sync_run ORDER BY id DESC LIMIT \(limit)"
            }
            return try await connection.query(query, logger: logger).collect().map(Self.syncRun(from:))
        }
    }

    @discardableResult
    public func failRunningSyncRuns(workspaceGid: String?, reason: String, at: Date) async throws -> Int {
        let logger = self.logger
        return try await database.write { connection in
            try await connection.query("""
                UPDATE sync_run SET status = \(SyncRunStatus.failed.rawValue), finished_at = \(UnixMillis.from(at)), error = \(reason)
                WHERE status = \(SyncRunStatus.running.rawValue) AND (\(workspaceGid)::text IS NULL OR workspace_gid = \(workspaceGid))
                RETURNING 1
                """, logger: logger).collect().count
        }
    }

    static let syncRunColumns = """
        id, workspace_gid, run_trigger, status, started_at, finished_at, count_users, count_added, count_updated,
        count_departed, count_teams, count_team_memberships, api_calls, rate_limited, error
        """

    /// A run from a row of ``syncRunColumns``. As in SQLite, counts are present when `count_users` is, and a
    /// status this build does not know reads as `failed`.
    static func syncRun(from row: PostgresRow) throws -> SyncRun {
        var counts: SnapshotCounts?
        if let users = try row.get("count_users", as: Int?.self) {
            counts = SnapshotCounts(
                users: users, added: try row.get("count_added", as: Int?.self) ?? 0,
                updated: try row.get("count_updated", as: Int?.self) ?? 0,
                departed: try row.get("count_departed", as: Int?.self) ?? 0,
                teams: try row.get("count_teams", as: Int?.self) ?? 0,
                teamMemberships: try row.get("count_team_memberships", as: Int?.self) ?? 0)
        }
        return SyncRun(
            id: try row.get("id"), workspaceGid: try row.get("workspace_gid"), trigger: try row.get("run_trigger"),
            status: SyncRunStatus(rawValue: try row.get("status", as: String.self)) ?? .failed,
            startedAt: UnixMillis.date(try row.get("started_at", as: Int64.self)),
            finishedAt: UnixMillis.date(try row.get("finished_at", as: Int64?.self)),
            counts: counts, apiCalls: try row.get("api_calls"), rateLimited: try row.get("rate_limited"),
            error: try row.get("error", as: String?.self))
    }
}

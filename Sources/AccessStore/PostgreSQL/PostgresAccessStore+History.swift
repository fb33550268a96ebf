import AccessProtocol
import Foundation
import Logging
import PostgresNIO

/// Access history in PostgreSQL: the change log and the counts over intervals, with the same answers as the SQLite
/// store. History is written by ``SnapshotStore/applySnapshot(_:at:syncRunId:)`` and
/// ``SnapshotStore/applyProvisionChange(_:at:)`` (``PostgresHistoryWriter``).
extension PostgresAccessStore {
    /// One page, oldest first: seeks in `access_change_by_time` (or `access_change_by_user` with a person) past the
    /// cursor, a row comparison on (observed_at, id).
    public func listAccessChanges(_ query: AccessChangeQuery) async throws -> AccessChangePage {
        let cursor = try AccessChangeCursor.checked(query)
        guard PostgresText.storable(query.workspaceGid, query.userGid) else { return AccessChangePage(changes: [], nextCursor: nil) }
        var sql = PostgresQuery.StringInterpolation(literalCapacity: 512, interpolationCount: 8)
        sql.appendLiteral("""
            SELECT id, user_gid, user_name, user_email, kind, team_gid, team_name, before, after,
                observed_at, not_before, sync_run_id, provision_call_id, principal
            FROM access_change WHERE workspace_gid = 
            """)
        sql.appendInterpolation(query.workspaceGid)
        sql.appendLiteral(" AND observed_at >= ")
        sql.appendInterpolation(UnixMillis.from(query.from))
        if let userGid = query.userGid {
            sql.appendLiteral(" AND user_gid = ")
            sql.appendInterpolation(userGid)
        }
        if let before = query.before {
            sql.appendLiteral(" AND observed_at < ")
            sql.appendInterpolation(UnixMillis.from(before))
        }
        if let kinds = query.kinds {
            sql.appendLiteral(" AND kind = ANY(")
            sql.appendInterpolation(kinds.map(\.rawValue).sorted())
            sql.appendLiteral(")")
        }
        if let cursor {
            sql.appendLiteral(" AND (observed_at, id) > (")
            sql.appendInterpolation(cursor.t)
            sql.appendLiteral(", ")
            sql.appendInterpolation(cursor.i)
            sql.appendLiteral(")")
        }
        sql.appendLiteral(" ORDER BY observed_at, id LIMIT ")
        sql.appendInterpolation(query.limit + 1)
        let statement = PostgresQuery(stringInterpolation: sql)
        let limit = query.limit
        let logger = self.logger
        return try await database.read { connection in
            let rows = try await connection.query(statement, logger: logger).collect()
            let changes = try rows.prefix(limit).map(Self.accessChange)
            var nextCursor: String?
            if rows.count > limit, let last = changes.last {
                nextCursor = AccessChangeCursor(t: UnixMillis.from(last.observedAt), i: last.id).encoded()
            }
            return AccessChangePage(changes: changes, nextCursor: nextCursor)
        }
    }

    public func accessCounts(workspaceGid: String, at moments: [Date]) async throws -> [AccessCounts] {
        guard PostgresText.storable(workspaceGid) else {
            return moments.map { AccessCounts(at: $0, people: 0, admins: 0, guests: 0, viewOnly: 0) }
        }
        let logger = self.logger
        return try await database.readTransaction { connection in
            var counts: [AccessCounts] = []
            for moment in moments {
                let at = UnixMillis.from(moment)
                var row = (Int64(0), Int64(0), Int64(0), Int64(0))
                for try await values in try await connection.query("""
                    SELECT count(*), count(*) FILTER (WHERE is_admin), count(*) FILTER (WHERE is_guest), count(*) FILTER (WHERE is_view_only)
                    FROM workspace_user_interval
                    WHERE workspace_gid = \(workspaceGid) AND valid_from <= \(at) AND (valid_until IS NULL OR valid_until > \(at))
                        AND NOT departed
                    """, logger: logger).decode((Int64, Int64, Int64, Int64).self) {
                    row = values
                }
                counts.append(AccessCounts(at: moment, people: Int(row.0), admins: Int(row.1), guests: Int(row.2), viewOnly: Int(row.3)))
            }
            return counts
        }
    }

    public func accessChangeCounts(workspaceGid: String, from: Date, before: Date) async throws -> [AccessChange.Kind: Int] {
        guard PostgresText.storable(workspaceGid) else { return [:] }
        let logger = self.logger
        return try await database.read { connection in
            var counts: [AccessChange.Kind: Int] = [:]
            for try await (kind, count) in try await connection.query("""
                SELECT kind, count(*) FROM access_change
                WHERE workspace_gid = \(workspaceGid) AND observed_at >= \(UnixMillis.from(from)) AND observed_at < \(UnixMillis.from(before))
                GROUP BY kind
                """, logger: logger).decode((String, Int64).self) {
                if let kind = AccessChange.Kind(rawValue: kind) { counts[kind] = Int(count) }
            }
            return counts
        }
    }

    @discardableResult
    public func pruneHistory(before cutoff: Date) async throws -> HistoryPruneCounts {
        let at = UnixMillis.from(cutoff)
        let logger = self.logger
        return try await database.write { connection in
            var intervals = 0
            for table in ["workspace_user_interval", "team_membership_interval", "team_interval"] {
                intervals += try await Self.deletedCount(connection, """
                    WITH gone AS (DELETE FROM \(unescaped: table) WHERE valid_until IS NOT NULL AND valid_until <= \(at) RETURNING 1)
                    SELECT count(*) FROM gone
                    """, logger: logger)
            }
            let changes = try await Self.deletedCount(connection, """
                WITH gone AS (DELETE FROM access_change WHERE observed_at < \(at) RETURNING 1) SELECT count(*) FROM gone
                """, logger: logger)
            try await connection.query("""
                UPDATE workspace SET history_pruned_before = greatest(coalesce(history_pruned_before, 0), \(at)),
                    history_from = greatest(coalesce(history_from, 0), \(at))
                """, logger: logger)
            return HistoryPruneCounts(intervals: intervals, changes: changes)
        }
    }

    private static func deletedCount(_ connection: PostgresConnection, _ query: PostgresQuery, logger: Logger) async throws -> Int {
        var count: Int64 = 0
        for try await value in try await connection.query(query, logger: logger).decode(Int64.self) { count = value }
        return Int(count)
    }

    static func accessChange(_ row: PostgresRow) throws -> AccessChange {
        let row = row.makeRandomAccess()
        let id = try row["id"].decode(Int64.self)
        return try AccessChangeRecord(
            id: id, userGid: try row["user_gid"].decode(String.self), userName: try row["user_name"].decode(String?.self),
            userEmail: try row["user_email"].decode(String?.self), kindName: try row["kind"].decode(String.self),
            teamGid: try row["team_gid"].decode(String?.self), teamName: try row["team_name"].decode(String?.self),
            before: try row["before"].decode(String?.self), after: try row["after"].decode(String?.self),
            observedAt: try row["observed_at"].decode(Int64.self), notBefore: try row["not_before"].decode(Int64?.self),
            syncRunId: try row["sync_run_id"].decode(Int64?.self), provisionCallId: try row["provision_call_id"].decode(String?.self),
            principal: try row["principal"].decode(String?.self)
        ).accessChange(id: id)
    }
}

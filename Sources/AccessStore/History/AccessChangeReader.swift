import AccessProtocol
import Foundation
import GRDB

extension SQLiteAccessStore {
    /// One page of the access changes of a workspace, oldest first; see ``HistoryStore/listAccessChanges(_:)``.
    /// Seeks in `accessChange_byTime` (or `accessChange_byUser` with a person) past the cursor.
    public func listAccessChanges(_ query: AccessChangeQuery) async throws -> AccessChangePage {
        let cursor = try AccessChangeCursor.checked(query)
        var conditions = ["workspaceGid = ?", "observedAt >= ?"]
        var arguments: StatementArguments = [query.workspaceGid, UnixMillis.from(query.from)]
        if let userGid = query.userGid {
            conditions.append("userGid = ?")
            arguments += [userGid]
        }
        if let before = query.before {
            conditions.append("observedAt < ?")
            arguments += [UnixMillis.from(before)]
        }
        if let kinds = query.kinds {
            let sorted = kinds.map(\.rawValue).sorted()
            conditions.append("kind IN (\(databaseQuestionMarks(count: sorted.count)))")
            arguments += StatementArguments(sorted)
        }
        if let cursor {
            // Written as a range on observedAt so that SQLite seeks in the index (as listUsers' cursor).
            conditions.append("observedAt >= ? AND (observedAt > ? OR id > ?)")
            arguments += [cursor.t, cursor.t, cursor.i]
        }
        arguments += [query.limit + 1]
        let sql = """
            SELECT id, userGid, userName, userEmail, kind, teamGid, teamName, "before", "after",
                observedAt, notBefore, syncRunId, provisionCallId, principal
            FROM accessChange
            WHERE \(conditions.joined(separator: " AND "))
            ORDER BY observedAt, id
            LIMIT ?
            """
        let limit = query.limit
        let statementArguments = arguments
        return try await dbWriter.read { db in
            let rows = try Row.fetchAll(db, sql: sql, arguments: statementArguments)
            let changes = try rows.prefix(limit).map(Self.accessChange)
            var nextCursor: String?
            if rows.count > limit, let last = changes.last {
                nextCursor = AccessChangeCursor(t: UnixMillis.from(last.observedAt), i: last.id).encoded()
            }
            return AccessChangePage(changes: changes, nextCursor: nextCursor)
        }
    }

    /// See ``HistoryStore/accessCounts(workspaceGid:at:)``.
    public func accessCounts(workspaceGid: String, at moments: [Date]) async throws -> [AccessCounts] {
        try await dbWriter.read { db in
            let statement = try db.cachedStatement(sql: """
                SELECT count(*), ifnull(sum(isAdmin = 1), 0), ifnull(sum(isGuest = 1), 0), ifnull(sum(isViewOnly = 1), 0)
                FROM workspaceUserInterval
                WHERE workspaceGid = ? AND \(Self.covers) AND departed = 0
                """)
            return try moments.map { moment in
                let at = UnixMillis.from(moment)
                let row = try Row.fetchOne(statement, arguments: [workspaceGid, at, at])
                return AccessCounts(at: moment, people: row?[0] ?? 0, admins: row?[1] ?? 0, guests: row?[2] ?? 0, viewOnly: row?[3] ?? 0)
            }
        }
    }

    /// See ``HistoryStore/accessChangeCounts(workspaceGid:from:before:)``.
    public func accessChangeCounts(workspaceGid: String, from: Date, before: Date) async throws -> [AccessChange.Kind: Int] {
        try await dbWriter.read { db in
            var counts: [AccessChange.Kind: Int] = [:]
            let rows = try Row.fetchAll(db, sql: """
                SELECT kind, count(*) FROM accessChange WHERE workspaceGid = ? AND observedAt >= ? AND observedAt < ? GROUP BY kind
                """, arguments: [workspaceGid, UnixMillis.from(from), UnixMillis.from(before)])
            for row in rows {
                if let kind = AccessChange.Kind(rawValue: row[0]) { counts[kind] = row[1] }
            }
            return counts
        }
    }

    /// See ``HistoryStore/pruneHistory(before:)``.
    @discardableResult
    public func pruneHistory(before cutoff: Date) async throws -> HistoryPruneCounts {
        let at = UnixMillis.from(cutoff)
        return try await dbWriter.write { db in
            var intervals = 0
            for table in ["workspaceUserInterval", "teamMembershipInterval", "teamInterval"] {
                try db.execute(sql: "DELETE FROM \(table) WHERE validUntil IS NOT NULL AND validUntil <= ?", arguments: [at])
                intervals += db.changesCount
            }
            try db.execute(sql: "DELETE FROM accessChange WHERE observedAt < ?", arguments: [at])
            let changes = db.changesCount
            try db.execute(sql: """
                UPDATE workspace SET historyPrunedBefore = max(ifnull(historyPrunedBefore, 0), ?), historyFrom = max(ifnull(historyFrom, 0), ?)
                """, arguments: [at, at])
            return HistoryPruneCounts(intervals: intervals, changes: changes)
        }
    }

    static func accessChange(_ row: Row) throws -> AccessChange {
        try AccessChangeRecord(
            id: row["id"], userGid: row["userGid"], userName: row["userName"], userEmail: row["userEmail"], kindName: row["kind"],
            teamGid: row["teamGid"], teamName: row["teamName"], before: row["before"], after: row["after"],
            observedAt: row["observedAt"], notBefore: row["notBefore"], syncRunId: row["syncRunId"],
            provisionCallId: row["provisionCallId"], principal: row["principal"]
        ).accessChange(id: row["id"])
    }
}

/// The opaque keyset cursor of ``SQLiteAccessStore/listAccessChanges(_:)``: base64url JSON `{"t": observedAt, "i": id}`
/// of the last change of a page.
struct AccessChangeCursor: KeysetCursor, Equatable {
    /// `observedAt` in Unix milliseconds.
    var t: Int64
    /// `id`.
    var i: Int64

    static let maximumLength = 256

    /// Checks `query` and decodes its cursor (nil for a first page).
    /// - Throws: ``AccessStoreError/invalidQuery(_:)`` (empty workspace gid, limit outside 1...1000);
    ///   ``AccessStoreError/invalidCursor``.
    static func checked(_ query: AccessChangeQuery) throws -> AccessChangeCursor? {
        guard !query.workspaceGid.isEmpty else { throw AccessStoreError.invalidQuery("workspaceGid is empty") }
        guard (1...AccessChangeQuery.maxLimit).contains(query.limit) else {
            throw AccessStoreError.invalidQuery("limit must be between 1 and \(AccessChangeQuery.maxLimit), got \(query.limit)")
        }
        return try query.cursor.map(AccessChangeCursor.decode)
    }
}

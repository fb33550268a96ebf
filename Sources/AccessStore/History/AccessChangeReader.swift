import AccessProtocol
import Foundation
import GRDB

extension SQLiteAccessStore {
    /// One page of the access changes of a workspace, oldest first; see ``HistoryStore/listAccessChanges(_:)``.
    /// Seeks in `accessChange_byTime` (or `accessChange_byUser` with a person) past the cursor.
    public func listAccessChanges(_ query: AccessChangeQuery) async throws -> AccessChangePage {
        guard !query.workspaceGid.isEmpty else { throw AccessStoreError.invalidQuery("workspaceGid is empty") }
        guard (1...AccessChangeQuery.maxLimit).contains(query.limit) else {
            throw AccessStoreError.invalidQuery("limit must be between 1 and \(AccessChangeQuery.maxLimit), got \(query.limit)")
        }
        let cursor = try query.cursor.map(AccessChangeCursor.decode)
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
        let kindName: String = row["kind"]
        guard let kind = AccessChange.Kind(rawValue: kindName) else {
            throw AccessStoreError.invalidArgument("accessChange \(row["id"] as Int64) has an unknown kind \"\(kindName)\"")
        }
        let teamGid: String? = row["teamGid"]
        let principal: String? = row["principal"]
        let callId: String? = row["provisionCallId"]
        return AccessChange(
            id: row["id"], kind: kind,
            person: AccessChange.PersonRef(gid: row["userGid"], name: row["userName"], email: row["userEmail"]),
            team: teamGid.map { AccessChange.TeamRef(gid: $0, name: row["teamName"] ?? $0) },
            before: try json(row["before"]), after: try json(row["after"]),
            observedAt: UnixMillis.date(row["observedAt"] as Int64),
            notBefore: UnixMillis.date(row["notBefore"] as Int64?),
            syncRunId: row["syncRunId"],
            provision: principal.flatMap { who in callId.map { AccessChange.ProvisionRef(principal: who, callId: $0) } })
    }

    private static func json(_ text: String?) throws -> JSONValue? {
        guard let text else { return nil }
        return try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
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
}

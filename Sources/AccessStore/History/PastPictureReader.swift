import Foundation
import GRDB

/// Reading the picture of a workspace as of a past instant from its intervals (`listUsers {asOf}`).
extension SQLiteAccessStore {
    /// The condition "the interval covers the instant": `validFrom <= ? AND (validUntil IS NULL OR validUntil > ?)`,
    /// both arguments the instant in Unix milliseconds.
    static let covers = "validFrom <= ? AND (validUntil IS NULL OR validUntil > ?)"

    /// The columns of `workspaceUserInterval` a past page reads (`userGid` as `gid`).
    static let intervalColumns = "userGid AS gid, name, email, isActive, isAdmin, isGuest, isViewOnly, firstSeenAt, lastSeenAt, validFrom, departed"

    /// The last sync run of the workspace committed (`succeeded` or `partial`) at or before `at` (Unix ms).
    static func standingRun(_ db: Database, workspaceGid: String, at: Int64) throws -> StandingRun? {
        try Row.fetchOne(
            db, sql: """
                SELECT id, finishedAt FROM syncRun
                WHERE workspaceGid = ? AND status IN ('succeeded', 'partial') AND finishedAt <= ?
                ORDER BY finishedAt DESC, id DESC LIMIT 1
                """,
            arguments: [workspaceGid, at]
        ).map { StandingRun(id: $0["id"], finishedAt: UnixMillis.date($0["finishedAt"] as Int64)) }
    }

    /// Users of a past page from their interval rows (in order), with the team memberships (and team
    /// names) that covered `asOf` loaded in ONE query.
    ///
    /// As of that instant: `departedAt` is the start of a departed interval; `changedAt` the start of the
    /// person's interval (team memberships not counted); `lastSeenAt` for a present person the later of
    /// that start and the standing run's commit, for a departed one the last time they were seen present.
    static func storedUsers(_ db: Database, workspaceGid: String, intervalRows rows: [Row], asOf: Int64,
                            standingRun: StandingRun?, includeTeams: Bool) throws -> [StoredUser] {
        guard !rows.isEmpty else { return [] }
        let gids: [String] = rows.map { $0["gid"] }
        var teamsOfUser: [String: [TeamRef]] = [:]
        if includeTeams {
            let teamRows = try Row.fetchCursor(
                db, sql: """
                    SELECT tm.userGid, tm.teamGid, ifnull(t.name, tm.teamGid) AS name, tm.isAdmin, tm.isGuest, tm.isLimitedAccess
                    FROM teamMembershipInterval tm
                    LEFT JOIN teamInterval t ON t.workspaceGid = tm.workspaceGid AND t.teamGid = tm.teamGid
                        AND t.validFrom <= ? AND (t.validUntil IS NULL OR t.validUntil > ?)
                    WHERE tm.workspaceGid = ? AND tm.userGid IN (\(databaseQuestionMarks(count: gids.count)))
                        AND tm.validFrom <= ? AND (tm.validUntil IS NULL OR tm.validUntil > ?)
                    ORDER BY name COLLATE NOCASE, tm.teamGid
                    """,
                arguments: StatementArguments([asOf, asOf, workspaceGid] as [any DatabaseValueConvertible])
                    + StatementArguments(gids) + StatementArguments([asOf, asOf]))
            while let row = try teamRows.next() {
                teamsOfUser[row["userGid"], default: []].append(TeamRef(
                    gid: row["teamGid"], name: row["name"],
                    isAdmin: row["isAdmin"], isGuest: row["isGuest"], isLimitedAccess: row["isLimitedAccess"]))
            }
        }
        let runTime = standingRun.map { UnixMillis.from($0.finishedAt) } ?? asOf
        return rows.map { row in
            let gid: String = row["gid"]
            let validFrom: Int64 = row["validFrom"]
            let departed: Bool = row["departed"]
            let lastSeenAt: Int64 = departed ? (row["lastSeenAt"] as Int64?) ?? validFrom : max(validFrom, runTime)
            return StoredUser(
                gid: gid, name: row["name"], email: row["email"],
                isActive: row["isActive"], isAdmin: row["isAdmin"], isGuest: row["isGuest"], isViewOnly: row["isViewOnly"],
                teams: teamsOfUser[gid] ?? [],
                firstSeenAt: UnixMillis.date(row["firstSeenAt"] as Int64),
                lastSeenAt: UnixMillis.date(lastSeenAt),
                departedAt: departed ? UnixMillis.date(validFrom) : nil,
                changedAt: UnixMillis.date(validFrom))
        }
    }
}

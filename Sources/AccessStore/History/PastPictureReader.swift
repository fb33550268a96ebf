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
    /// names) that covered `asOf` loaded in ONE query; the times as ``UserListing/pastUser(gid:state:firstSeenAt:lastSeenAt:validFrom:asOf:standingRun:teams:)`` defines them.
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
        return rows.map { row in
            let gid: String = row["gid"]
            let state = PersonState(name: row["name"], email: row["email"], isActive: row["isActive"], isAdmin: row["isAdmin"],
                                    isGuest: row["isGuest"], isViewOnly: row["isViewOnly"], departed: row["departed"])
            return UserListing.pastUser(gid: gid, state: state, firstSeenAt: row["firstSeenAt"], lastSeenAt: row["lastSeenAt"],
                                        validFrom: row["validFrom"], asOf: asOf, standingRun: standingRun, teams: teamsOfUser[gid] ?? [])
        }
    }
}

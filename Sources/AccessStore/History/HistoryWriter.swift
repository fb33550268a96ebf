import AccessProtocol
import Foundation
import GRDB

/// Writes access history inside the write transaction of a snapshot or a provision change: it closes
/// and opens intervals (`workspaceUserInterval`, `teamMembershipInterval`, `teamInterval`) and records
/// one `accessChange` row per change. Nothing is written for what did not change.
///
/// Two changes of the same row in the same millisecond leave one interval: the later replaces the
/// earlier (an interval is never empty).
struct HistoryWriter {
    let db: Database
    let workspaceGid: String
    /// Unix milliseconds of the change (its `observedAt`, and where intervals open and close).
    let now: Int64
    let provenance: ChangeProvenance
    /// Unix milliseconds of the workspace's previous sync (a sync's `notBefore`); ignored for a provision.
    let previousSync: Int64?

    /// Records a person's workspace membership going from `before` (nil: never seen) to `after`.
    /// Reads `firstSeenAt` and `lastSeenAt` from the person's `workspaceUser` row: call it after the row is written.
    func recordPerson(_ userGid: String, from before: PersonState?, to after: PersonState) throws {
        guard before != after else { return }
        let seen = try Row.fetchOne(
            db, sql: "SELECT firstSeenAt, lastSeenAt FROM workspaceUser WHERE workspaceGid = ? AND gid = ?",
            arguments: [workspaceGid, userGid])
        let firstSeenAt: Int64 = seen?["firstSeenAt"] ?? now
        let lastSeenAt: Int64? = after.departed ? seen?["lastSeenAt"] : nil
        try db.cachedStatement(sql: """
            UPDATE workspaceUserInterval SET validUntil = ?
            WHERE workspaceGid = ? AND userGid = ? AND validUntil IS NULL AND validFrom < ?
            """).execute(arguments: [now, workspaceGid, userGid, now])
        try db.cachedStatement(sql: """
            INSERT OR REPLACE INTO workspaceUserInterval
                (workspaceGid, userGid, validFrom, validUntil, name, email, isActive, isAdmin, isGuest, isViewOnly, departed, firstSeenAt, lastSeenAt)
            VALUES (?, ?, ?, NULL, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """).execute(arguments: [
                workspaceGid, userGid, now, after.name, after.email, after.isActive, after.isAdmin, after.isGuest, after.isViewOnly,
                after.departed, firstSeenAt, lastSeenAt,
            ])
        let label = after.departed ? (before ?? after) : after
        for entry in AccessChangeDiff.person(from: before, to: after) {
            try recordChange(entry, userGid: userGid, person: label, teamName: nil)
        }
    }

    /// Records a person's team memberships going from `before` to `after` (team gid → rights).
    /// `person` names them in the change rows; `teamName` names each team.
    func recordTeams(_ userGid: String, person: PersonState, from before: [String: TeamRights], to after: [String: TeamRights],
                     teamName: (String) -> String?) throws {
        guard before != after else { return }
        let close = try db.cachedStatement(sql: """
            UPDATE teamMembershipInterval SET validUntil = ?
            WHERE workspaceGid = ? AND userGid = ? AND teamGid = ? AND validUntil IS NULL AND validFrom < ?
            """)
        let open = try db.cachedStatement(sql: """
            INSERT OR REPLACE INTO teamMembershipInterval
                (workspaceGid, userGid, teamGid, validFrom, validUntil, isAdmin, isGuest, isLimitedAccess)
            VALUES (?, ?, ?, ?, NULL, ?, ?, ?)
            """)
        let deleteOpenedNow = try db.cachedStatement(sql: """
            DELETE FROM teamMembershipInterval WHERE workspaceGid = ? AND userGid = ? AND teamGid = ? AND validFrom = ?
            """)
        for teamGid in Set(before.keys).union(after.keys).sorted() where before[teamGid] != after[teamGid] {
            try close.execute(arguments: [now, workspaceGid, userGid, teamGid, now])
            if let rights = after[teamGid] {
                try open.execute(arguments: [workspaceGid, userGid, teamGid, now, rights.isAdmin, rights.isGuest, rights.isLimitedAccess])
            } else {
                try deleteOpenedNow.execute(arguments: [workspaceGid, userGid, teamGid, now])
            }
        }
        for entry in AccessChangeDiff.teams(from: before, to: after) {
            try recordChange(entry, userGid: userGid, person: person, teamName: entry.teamGid.flatMap(teamName))
        }
    }

    /// Records a team's name going from `before` (nil: no such team) to `after` (nil: deleted).
    func recordTeam(_ teamGid: String, from before: String?, to after: String?) throws {
        guard before != after else { return }
        try db.cachedStatement(sql: """
            UPDATE teamInterval SET validUntil = ? WHERE workspaceGid = ? AND teamGid = ? AND validUntil IS NULL AND validFrom < ?
            """).execute(arguments: [now, workspaceGid, teamGid, now])
        if let after {
            try db.cachedStatement(sql: """
                INSERT OR REPLACE INTO teamInterval (workspaceGid, teamGid, validFrom, validUntil, name) VALUES (?, ?, ?, NULL, ?)
                """).execute(arguments: [workspaceGid, teamGid, now, after])
        } else {
            try db.execute(sql: "DELETE FROM teamInterval WHERE workspaceGid = ? AND teamGid = ? AND validFrom = ?",
                           arguments: [workspaceGid, teamGid, now])
        }
    }

    private func recordChange(_ entry: ChangeEntry, userGid: String, person: PersonState, teamName: String?) throws {
        var notBefore: Int64?
        var syncRunId: Int64?
        var principal: String?
        var callId: String?
        switch provenance {
        case .sync(let runId):
            notBefore = previousSync
            syncRunId = runId
        case .provision(let who, let call):
            notBefore = now
            principal = who
            callId = call
        }
        try db.cachedStatement(sql: """
            INSERT INTO accessChange (workspaceGid, userGid, userName, userEmail, kind, teamGid, teamName, "before", "after",
                observedAt, notBefore, syncRunId, provisionCallId, principal)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """).execute(arguments: [
                workspaceGid, userGid, person.name, person.email, entry.kind.rawValue, entry.teamGid,
                entry.teamGid.map { teamName ?? $0 }, entry.before?.jsonText, entry.after?.jsonText,
                now, notBefore, syncRunId, callId, principal,
            ])
    }
}

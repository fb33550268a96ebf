import AccessProtocol
import Foundation
import GRDB

/// Writes access history inside the write transaction of a snapshot or a provision change: it closes
/// and opens intervals (`workspaceUserInterval`, `teamMembershipInterval`, `teamInterval`) and records
/// one `accessChange` row per change (``HistoryRecords``). Nothing is written for what did not change.
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

    /// Records `event`: its intervals, then its change rows.
    func record(_ event: HistoryEvent) throws {
        if let interval = HistoryRecords.personInterval(event) {
            try db.cachedStatement(sql: """
                UPDATE workspaceUserInterval SET validUntil = ?
                WHERE workspaceGid = ? AND userGid = ? AND validUntil IS NULL AND validFrom < ?
                """).execute(arguments: [now, workspaceGid, interval.userGid, now])
            let after = interval.state
            try db.cachedStatement(sql: """
                INSERT OR REPLACE INTO workspaceUserInterval
                    (workspaceGid, userGid, validFrom, validUntil, name, email, isActive, isAdmin, isGuest, isViewOnly, departed, firstSeenAt, lastSeenAt)
                VALUES (?, ?, ?, NULL, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """).execute(arguments: [
                    workspaceGid, interval.userGid, now, after.name, after.email, after.isActive, after.isAdmin, after.isGuest, after.isViewOnly,
                    after.departed, interval.firstSeenAt, interval.lastSeenAt,
                ])
        }
        if case .teams(let userGid, _, _, _, _) = event {
            for (teamGid, rights) in HistoryRecords.membershipChanges(event) {
                try db.cachedStatement(sql: """
                    UPDATE teamMembershipInterval SET validUntil = ?
                    WHERE workspaceGid = ? AND userGid = ? AND teamGid = ? AND validUntil IS NULL AND validFrom < ?
                    """).execute(arguments: [now, workspaceGid, userGid, teamGid, now])
                if let rights {
                    try db.cachedStatement(sql: """
                        INSERT OR REPLACE INTO teamMembershipInterval
                            (workspaceGid, userGid, teamGid, validFrom, validUntil, isAdmin, isGuest, isLimitedAccess)
                        VALUES (?, ?, ?, ?, NULL, ?, ?, ?)
                        """).execute(arguments: [workspaceGid, userGid, teamGid, now, rights.isAdmin, rights.isGuest, rights.isLimitedAccess])
                } else {
                    try db.cachedStatement(sql: """
                        DELETE FROM teamMembershipInterval WHERE workspaceGid = ? AND userGid = ? AND teamGid = ? AND validFrom = ?
                        """).execute(arguments: [workspaceGid, userGid, teamGid, now])
                }
            }
        }
        if let (teamGid, name) = HistoryRecords.teamChange(event) {
            try db.cachedStatement(sql: """
                UPDATE teamInterval SET validUntil = ? WHERE workspaceGid = ? AND teamGid = ? AND validUntil IS NULL AND validFrom < ?
                """).execute(arguments: [now, workspaceGid, teamGid, now])
            if let name {
                try db.cachedStatement(sql: """
                    INSERT OR REPLACE INTO teamInterval (workspaceGid, teamGid, validFrom, validUntil, name) VALUES (?, ?, ?, NULL, ?)
                    """).execute(arguments: [workspaceGid, teamGid, now, name])
            } else {
                try db.execute(sql: "DELETE FROM teamInterval WHERE workspaceGid = ? AND teamGid = ? AND validFrom = ?",
                               arguments: [workspaceGid, teamGid, now])
            }
        }
        for change in HistoryRecords.changes(event, now: now, provenance: provenance, previousSync: previousSync) {
            try db.cachedStatement(sql: """
                INSERT INTO accessChange (workspaceGid, userGid, userName, userEmail, kind, teamGid, teamName, "before", "after",
                    observedAt, notBefore, syncRunId, provisionCallId, principal)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """).execute(arguments: [
                    workspaceGid, change.userGid, change.userName, change.userEmail, change.kind.rawValue, change.teamGid,
                    change.teamName, change.before, change.after,
                    change.observedAt, change.notBefore, change.syncRunId, change.provisionCallId, change.principal,
                ])
        }
    }
}

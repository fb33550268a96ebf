import Foundation
import GRDB

/// History for a database written before history was kept (migration `v10-history`): the stored state
/// carried back to when each person was first seen, and `historyFrom` set to the migration's time.
enum HistoryBackfill {
    /// Opens one interval per stored person (two for a departed one: present with `isActive` unknown,
    /// since the departure overwrote it, then departed), per team membership (from the person's
    /// `firstSeenAt`) and per team (from the workspace's earliest `firstSeenAt`). No change rows: what
    /// changed before is not known.
    /// - Parameter at: Unix milliseconds of the migration.
    static func run(_ db: Database, at: Int64) throws {
        try db.execute(sql: """
            INSERT INTO workspaceUserInterval
                (workspaceGid, userGid, validFrom, validUntil, name, email, isActive, isAdmin, isGuest, isViewOnly, departed, firstSeenAt, lastSeenAt)
            SELECT workspaceGid, gid, firstSeenAt, NULL, name, email, isActive, isAdmin, isGuest, isViewOnly, 0, firstSeenAt, NULL
            FROM workspaceUser WHERE departedAt IS NULL;

            INSERT INTO workspaceUserInterval
                (workspaceGid, userGid, validFrom, validUntil, name, email, isActive, isAdmin, isGuest, isViewOnly, departed, firstSeenAt, lastSeenAt)
            SELECT workspaceGid, gid, firstSeenAt, departedAt, name, email, NULL, isAdmin, isGuest, isViewOnly, 0, firstSeenAt, NULL
            FROM workspaceUser WHERE departedAt IS NOT NULL AND departedAt > firstSeenAt;

            INSERT INTO workspaceUserInterval
                (workspaceGid, userGid, validFrom, validUntil, name, email, isActive, isAdmin, isGuest, isViewOnly, departed, firstSeenAt, lastSeenAt)
            SELECT workspaceGid, gid, departedAt, NULL, name, email, isActive, isAdmin, isGuest, isViewOnly, 1, firstSeenAt, lastSeenAt
            FROM workspaceUser WHERE departedAt IS NOT NULL;

            INSERT INTO teamMembershipInterval (workspaceGid, userGid, teamGid, validFrom, validUntil, isAdmin, isGuest, isLimitedAccess)
            SELECT tm.workspaceGid, tm.userGid, tm.teamGid, u.firstSeenAt, NULL, tm.isAdmin, tm.isGuest, tm.isLimitedAccess
            FROM teamMembership tm JOIN workspaceUser u ON u.workspaceGid = tm.workspaceGid AND u.gid = tm.userGid;
            """)
        try db.execute(sql: """
            INSERT INTO teamInterval (workspaceGid, teamGid, validFrom, validUntil, name)
            SELECT t.workspaceGid, t.gid,
                ifnull((SELECT min(u.firstSeenAt) FROM workspaceUser u WHERE u.workspaceGid = t.workspaceGid), ?), NULL, t.name
            FROM team t;
            UPDATE workspace SET historyFrom = ?;
            """, arguments: [at, at])
    }
}

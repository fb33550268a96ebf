import AccessProtocol
import Foundation
import GRDB

/// The sync schedule in SQLite: one row per workspace in `workspaceSchedule`.
extension SQLiteAccessStore {
    public func workspaceSchedules() async throws -> [String: WorkspaceSchedule] {
        try await dbWriter.read { db in
            var schedules: [String: WorkspaceSchedule] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT * FROM workspaceSchedule") {
                schedules[row["workspaceGid"]] = Self.schedule(row)
            }
            return schedules
        }
    }

    public func modifyWorkspaceSchedule<T: Sendable>(_ workspaceGid: String, _ change: @escaping @Sendable (inout WorkspaceSchedule) -> T) async throws -> T {
        try await dbWriter.write { db in
            let stored = try Row.fetchOne(db, sql: "SELECT * FROM workspaceSchedule WHERE workspaceGid = ?", arguments: [workspaceGid])
                .map(Self.schedule) ?? WorkspaceSchedule()
            var schedule = stored
            let result = change(&schedule)
            guard schedule != stored else { return result }  // a look that changes nothing writes nothing
            try db.execute(
                sql: """
                    INSERT INTO workspaceSchedule (workspaceGid, nextRunAt, pausedReason, pausedFingerprint, refusedFingerprint,
                        membershipFlagsReadable, teamsReadable) VALUES (?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT (workspaceGid) DO UPDATE SET nextRunAt = excluded.nextRunAt, pausedReason = excluded.pausedReason,
                        pausedFingerprint = excluded.pausedFingerprint, refusedFingerprint = excluded.refusedFingerprint,
                        membershipFlagsReadable = excluded.membershipFlagsReadable, teamsReadable = excluded.teamsReadable
                    """,
                arguments: [workspaceGid, schedule.nextRunAt.map(UnixMillis.from), schedule.pause?.reason, schedule.pause?.fingerprint,
                            schedule.refusedFingerprint, schedule.capabilities?.membershipFlags, schedule.capabilities?.teams])
            return result
        }
    }

    private static func schedule(_ row: Row) -> WorkspaceSchedule {
        let reason: String? = row["pausedReason"]
        let membershipFlags: Bool? = row["membershipFlagsReadable"]
        let teams: Bool? = row["teamsReadable"]
        return WorkspaceSchedule(
            nextRunAt: UnixMillis.date(row["nextRunAt"] as Int64?),
            pause: reason.map { WorkspaceSchedule.Pause(reason: $0, fingerprint: row["pausedFingerprint"]) },
            capabilities: membershipFlags.flatMap { flags in teams.map { Sync.Capabilities(membershipFlags: flags, teams: $0) } },
            refusedFingerprint: row["refusedFingerprint"])
    }
}

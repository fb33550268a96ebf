import AccessProtocol
import Foundation
import PostgresNIO

/// The sync schedule in PostgreSQL: one row per workspace in `workspace_schedule`, changed under a row lock
/// (`SELECT … FOR UPDATE`) so that servers changing the same workspace's schedule take turns.
extension PostgresAccessStore {
    static let scheduleColumns = """
        workspace_gid, next_run_at, paused_reason, paused_fingerprint, refused_fingerprint, membership_flags_readable, teams_readable
        """

    public func workspaceSchedules() async throws -> [String: WorkspaceSchedule] {
        let logger = self.logger
        return try await database.read { connection in
            var schedules: [String: WorkspaceSchedule] = [:]
            for row in try await connection.query("SELECT \(unescaped: Self.scheduleColumns) FROM workspace_schedule", logger: logger).collect() {
                schedules[try row.get("workspace_gid", as: String.self)] = try Self.schedule(row)
            }
            return schedules
        }
    }

    public func modifyWorkspaceSchedule<T: Sendable>(_ workspaceGid: String, _ change: @escaping @Sendable (inout WorkspaceSchedule) -> T) async throws -> T {
        let logger = self.logger
        return try await database.write { connection in
            try await connection.query(
                "INSERT INTO workspace_schedule (workspace_gid) VALUES (\(workspaceGid)) ON CONFLICT (workspace_gid) DO NOTHING", logger: logger)
            let row = try await connection.query("""
                SELECT \(unescaped: Self.scheduleColumns) FROM workspace_schedule WHERE workspace_gid = \(workspaceGid) FOR UPDATE
                """, logger: logger).collect().first
            let stored = try row.map(Self.schedule) ?? WorkspaceSchedule()
            var schedule = stored
            let result = change(&schedule)
            guard schedule != stored else { return result }  // a look that changes nothing writes nothing
            try await connection.query("""
                UPDATE workspace_schedule SET next_run_at = \(schedule.nextRunAt.map(UnixMillis.from)),
                    paused_reason = \(schedule.pause?.reason), paused_fingerprint = \(schedule.pause?.fingerprint),
                    refused_fingerprint = \(schedule.refusedFingerprint),
                    membership_flags_readable = \(schedule.capabilities?.membershipFlags), teams_readable = \(schedule.capabilities?.teams)
                WHERE workspace_gid = \(workspaceGid)
                """, logger: logger)
            return result
        }
    }

    private static func schedule(_ row: PostgresRow) throws -> WorkspaceSchedule {
        let reason = try row.get("paused_reason", as: String?.self)
        let membershipFlags = try row.get("membership_flags_readable", as: Bool?.self)
        let teams = try row.get("teams_readable", as: Bool?.self)
        return WorkspaceSchedule(
            nextRunAt: UnixMillis.date(try row.get("next_run_at", as: Int64?.self)),
            pause: try reason.map { WorkspaceSchedule.Pause(reason: $0, fingerprint: try row.get("paused_fingerprint", as: String?.self)) },
            capabilities: membershipFlags.flatMap { flags in teams.map { Sync.Capabilities(membershipFlags: flags, teams: $0) } },
            refusedFingerprint: try row.get("refused_fingerprint", as: String?.self))
    }
}

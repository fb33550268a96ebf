import AccessProtocol
import Foundation
import Logging
import PostgresNIO

/// Writes access history in PostgreSQL inside the write transaction of a snapshot or a provision change: what
/// SQLite's `HistoryWriter` writes (``HistoryRecords`` decides it for both), batched: each kind of interval is
/// closed in one statement and opened in one per ``PostgresBatch/rowsPerStatement`` rows, and the change rows are
/// inserted in the events' order.
///
/// Two changes of the same row in the same millisecond leave one interval: the later replaces the earlier.
/// Within one call, each person, team membership and team appears in at most one event.
struct PostgresHistoryWriter {
    let connection: PostgresConnection
    let logger: Logger
    let workspaceGid: String
    /// Unix milliseconds of the change (its `observed_at`, and where intervals open and close).
    let now: Int64
    let provenance: ChangeProvenance
    /// Unix milliseconds of the workspace's previous sync (a sync's `not_before`); ignored for a provision.
    let previousSync: Int64?

    func record(_ events: [HistoryEvent]) async throws {
        var people: [PersonInterval] = []
        var memberships: [(userGid: String, teamGid: String, rights: TeamRights?)] = []
        var teams: [(teamGid: String, name: String?)] = []
        var changes: [AccessChangeRecord] = []
        for event in events {
            if let interval = HistoryRecords.personInterval(event) { people.append(interval) }
            if case .teams(let userGid, _, _, _, _) = event {
                memberships += HistoryRecords.membershipChanges(event).map { (userGid, $0.teamGid, $0.rights) }
            }
            if let team = HistoryRecords.teamChange(event) { teams.append(team) }
            changes += HistoryRecords.changes(event, now: now, provenance: provenance, previousSync: previousSync)
        }
        let fixed: [PostgresBatchValue] = [.text(workspaceGid), .bigint(now)]

        if !people.isEmpty {
            try await connection.query("""
                UPDATE workspace_user_interval SET valid_until = \(now)
                WHERE workspace_gid = \(workspaceGid) AND user_gid = ANY(\(people.map(\.userGid)))
                    AND valid_until IS NULL AND valid_from < \(now)
                """, logger: logger)
            try await PostgresBatch.run(connection, logger: logger, fixed: fixed, rows: people.map { interval in
                let state = interval.state
                return [.text(interval.userGid), .text(state.name), .text(state.email), .boolean(state.isActive), .boolean(state.isAdmin),
                        .boolean(state.isGuest), .boolean(state.isViewOnly), .boolean(state.departed), .bigint(interval.firstSeenAt),
                        .bigint(interval.lastSeenAt), .text(state.name.map(SearchKey.of)), .text(state.email.map(SearchKey.of))]
            }, tuplePrefix: "$1, $2, NULL, ") { values in
                """
                INSERT INTO workspace_user_interval (workspace_gid, valid_from, valid_until, user_gid, name, email, is_active, is_admin,
                    is_guest, is_view_only, departed, first_seen_at, last_seen_at, name_key, email_key)
                VALUES \(values)
                ON CONFLICT (workspace_gid, user_gid, valid_from) DO UPDATE SET
                    valid_until = NULL, name = excluded.name, email = excluded.email, is_active = excluded.is_active,
                    is_admin = excluded.is_admin, is_guest = excluded.is_guest, is_view_only = excluded.is_view_only,
                    departed = excluded.departed, first_seen_at = excluded.first_seen_at, last_seen_at = excluded.last_seen_at,
                    name_key = excluded.name_key, email_key = excluded.email_key
                """
            }
        }

        if !memberships.isEmpty {
            try await connection.query("""
                UPDATE team_membership_interval i SET valid_until = \(now)
                FROM unnest(\(memberships.map(\.userGid))::text[], \(memberships.map(\.teamGid))::text[]) AS m(user_gid, team_gid)
                WHERE i.workspace_gid = \(workspaceGid) AND i.user_gid = m.user_gid AND i.team_gid = m.team_gid
                    AND i.valid_until IS NULL AND i.valid_from < \(now)
                """, logger: logger)
            let opened = memberships.compactMap { membership in membership.rights.map { (membership.userGid, membership.teamGid, $0) } }
            try await PostgresBatch.run(connection, logger: logger, fixed: fixed, rows: opened.map { userGid, teamGid, rights in
                [.text(userGid), .text(teamGid), .boolean(rights.isAdmin), .boolean(rights.isGuest), .boolean(rights.isLimitedAccess)]
            }, tuplePrefix: "$1, $2, NULL, ") { values in
                """
                INSERT INTO team_membership_interval (workspace_gid, valid_from, valid_until, user_gid, team_gid, is_admin, is_guest, is_limited_access)
                VALUES \(values)
                ON CONFLICT (workspace_gid, user_gid, team_gid, valid_from) DO UPDATE SET
                    valid_until = NULL, is_admin = excluded.is_admin, is_guest = excluded.is_guest, is_limited_access = excluded.is_limited_access
                """
            }
            let ended = memberships.filter { $0.rights == nil }
            if !ended.isEmpty {
                // A membership opened and ended in the same millisecond leaves no interval.
                try await connection.query("""
                    DELETE FROM team_membership_interval i
                    USING unnest(\(ended.map(\.userGid))::text[], \(ended.map(\.teamGid))::text[]) AS m(user_gid, team_gid)
                    WHERE i.workspace_gid = \(workspaceGid) AND i.user_gid = m.user_gid AND i.team_gid = m.team_gid AND i.valid_from = \(now)
                    """, logger: logger)
            }
        }

        if !teams.isEmpty {
            try await connection.query("""
                UPDATE team_interval SET valid_until = \(now)
                WHERE workspace_gid = \(workspaceGid) AND team_gid = ANY(\(teams.map(\.teamGid))) AND valid_until IS NULL AND valid_from < \(now)
                """, logger: logger)
            let named = teams.compactMap { team in team.name.map { (team.teamGid, $0) } }
            try await PostgresBatch.run(connection, logger: logger, fixed: fixed, rows: named.map { teamGid, name in
                [.text(teamGid), .text(name)]
            }, tuplePrefix: "$1, $2, NULL, ") { values in
                """
                INSERT INTO team_interval (workspace_gid, valid_from, valid_until, team_gid, name) VALUES \(values)
                ON CONFLICT (workspace_gid, team_gid, valid_from) DO UPDATE SET valid_until = NULL, name = excluded.name
                """
            }
            let deleted = teams.filter { $0.name == nil }.map(\.teamGid)
            if !deleted.isEmpty {
                try await connection.query("""
                    DELETE FROM team_interval WHERE workspace_gid = \(workspaceGid) AND team_gid = ANY(\(deleted)) AND valid_from = \(now)
                    """, logger: logger)
            }
        }

        try await PostgresBatch.run(connection, logger: logger, fixed: [.text(workspaceGid)], rows: changes.map { change in
            [.text(change.userGid), .text(change.userName), .text(change.userEmail), .text(change.kind.rawValue), .text(change.teamGid),
             .text(change.teamName), .text(change.before), .text(change.after), .bigint(change.observedAt), .bigint(change.notBefore),
             .bigint(change.syncRunId), .text(change.provisionCallId), .text(change.principal)]
        }, tuplePrefix: "$1, ") { values in
            """
            INSERT INTO access_change (workspace_gid, user_gid, user_name, user_email, kind, team_gid, team_name, before, after,
                observed_at, not_before, sync_run_id, provision_call_id, principal)
            VALUES \(values)
            """
        }
    }
}

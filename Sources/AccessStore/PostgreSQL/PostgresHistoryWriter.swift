import AccessProtocol
import Foundation
import Logging
import PostgresNIO

/// Writes access history in PostgreSQL inside the write transaction of a snapshot or a provision change: what
/// SQLite's `HistoryWriter` writes (``HistoryRecords`` decides it for both), in a few statements whatever the number
/// of events: each kind of interval is closed in one statement and opened in one (columns bound as arrays,
/// ``PostgresColumn``), and the change rows are inserted in one, in the events' order (their ids follow it).
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
        if !people.isEmpty {
            try await connection.query("""
                UPDATE workspace_user_interval SET valid_until = \(now)
                WHERE workspace_gid = \(workspaceGid) AND user_gid = ANY(\(people.map(\.userGid)))
                    AND valid_until IS NULL AND valid_from < \(now)
                """, logger: logger)
            let states = people.map(\.state)
            try await connection.query("""
                INSERT INTO workspace_user_interval (workspace_gid, valid_from, valid_until, user_gid, name, email, is_active, is_admin,
                    is_guest, is_view_only, departed, first_seen_at, last_seen_at, name_key, email_key)
                SELECT \(workspaceGid), \(now), NULL, v.* FROM unnest(
                    \(people.map(\.userGid)), \(PostgresColumn(states.map(\.name))), \(PostgresColumn(states.map(\.email))),
                    \(PostgresColumn(states.map(\.isActive))), \(PostgresColumn(states.map(\.isAdmin))), \(PostgresColumn(states.map(\.isGuest))),
                    \(PostgresColumn(states.map(\.isViewOnly))), \(states.map(\.departed)), \(people.map(\.firstSeenAt)),
                    \(PostgresColumn(people.map(\.lastSeenAt))), \(PostgresColumn(states.map { $0.name.map(SearchKey.of) })),
                    \(PostgresColumn(states.map { $0.email.map(SearchKey.of) }))) AS v
                ON CONFLICT (workspace_gid, user_gid, valid_from) DO UPDATE SET
                    valid_until = NULL, name = excluded.name, email = excluded.email, is_active = excluded.is_active,
                    is_admin = excluded.is_admin, is_guest = excluded.is_guest, is_view_only = excluded.is_view_only,
                    departed = excluded.departed, first_seen_at = excluded.first_seen_at, last_seen_at = excluded.last_seen_at,
                    name_key = excluded.name_key, email_key = excluded.email_key
                """, logger: logger)
        }

        if !memberships.isEmpty {
            try await connection.query("""
                UPDATE team_membership_interval i SET valid_until = \(now)
                FROM unnest(\(memberships.map(\.userGid))::text[], \(memberships.map(\.teamGid))::text[]) AS m(user_gid, team_gid)
                WHERE i.workspace_gid = \(workspaceGid) AND i.user_gid = m.user_gid AND i.team_gid = m.team_gid
                    AND i.valid_until IS NULL AND i.valid_from < \(now)
                """, logger: logger)
            let opened = memberships.compactMap { membership in membership.rights.map { (membership.userGid, membership.teamGid, $0) } }
            if !opened.isEmpty {
                try await connection.query("""
                    INSERT INTO team_membership_interval (workspace_gid, valid_from, valid_until, user_gid, team_gid, is_admin, is_guest,
                        is_limited_access)
                    SELECT \(workspaceGid), \(now), NULL, v.* FROM unnest(\(opened.map(\.0)), \(opened.map(\.1)),
                        \(PostgresColumn(opened.map(\.2.isAdmin))), \(PostgresColumn(opened.map(\.2.isGuest))),
                        \(PostgresColumn(opened.map(\.2.isLimitedAccess)))) AS v
                    ON CONFLICT (workspace_gid, user_gid, team_gid, valid_from) DO UPDATE SET
                        valid_until = NULL, is_admin = excluded.is_admin, is_guest = excluded.is_guest,
                        is_limited_access = excluded.is_limited_access
                    """, logger: logger)
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
            if !named.isEmpty {
                try await connection.query("""
                    INSERT INTO team_interval (workspace_gid, valid_from, valid_until, team_gid, name)
                    SELECT \(workspaceGid), \(now), NULL, v.* FROM unnest(\(named.map(\.0)), \(named.map(\.1))) AS v
                    ON CONFLICT (workspace_gid, team_gid, valid_from) DO UPDATE SET valid_until = NULL, name = excluded.name
                    """, logger: logger)
            }
            let deleted = teams.filter { $0.name == nil }.map(\.teamGid)
            if !deleted.isEmpty {
                try await connection.query("""
                    DELETE FROM team_interval WHERE workspace_gid = \(workspaceGid) AND team_gid = ANY(\(deleted)) AND valid_from = \(now)
                    """, logger: logger)
            }
        }

        guard !changes.isEmpty else { return }
        // WITH ORDINALITY … ORDER BY: the rows are inserted, and take their ids, in the events' order.
        try await connection.query("""
            INSERT INTO access_change (workspace_gid, user_gid, user_name, user_email, kind, team_gid, team_name, before, after,
                observed_at, not_before, sync_run_id, provision_call_id, principal)
            SELECT \(workspaceGid), v.user_gid, v.user_name, v.user_email, v.kind, v.team_gid, v.team_name, v.before, v.after,
                v.observed_at, v.not_before, v.sync_run_id, v.provision_call_id, v.principal
            FROM unnest(\(changes.map(\.userGid)), \(PostgresColumn(changes.map(\.userName))), \(PostgresColumn(changes.map(\.userEmail))),
                \(changes.map(\.kind.rawValue)), \(PostgresColumn(changes.map(\.teamGid))), \(PostgresColumn(changes.map(\.teamName))),
                \(PostgresColumn(changes.map(\.before))), \(PostgresColumn(changes.map(\.after))), \(changes.map(\.observedAt)),
                \(PostgresColumn(changes.map(\.notBefore))), \(PostgresColumn(changes.map(\.syncRunId))),
                \(PostgresColumn(changes.map(\.provisionCallId))), \(PostgresColumn(changes.map(\.principal))))
                WITH ORDINALITY AS v(user_gid, user_name, user_email, kind, team_gid, team_name, before, after, observed_at, not_before,
                    sync_run_id, provision_call_id, principal, n)
            ORDER BY v.n
            """, logger: logger)
    }
}

import AccessProtocol
import Crypto
import Foundation
import Logging
import PostgresNIO

/// The write side of snapshots and provision changes in PostgreSQL, run inside one write transaction, with the
/// history of what they change (``PostgresHistoryWriter``). What a snapshot changes is worked out by
/// ``SnapshotPlan``, as in SQLite; here each kind of row is written by one statement, its columns bound as arrays
/// (``PostgresColumn``).
///
/// Both take the workspace's lock first (``lockWorkspace()``): two servers applying snapshots or provision
/// changes of one workspace at once run one after the other, each reading what the other committed.
struct PostgresSnapshotWriter {
    let connection: PostgresConnection
    let logger: Logger
    let workspaceGid: String
    /// Unix milliseconds of the change.
    let now: Int64
    /// Who or what saw the change, for history.
    let provenance: ChangeProvenance

    /// The first key of the workspace locks (`pg_advisory_xact_lock(int4, int4)`; "wspc"), apart from the
    /// migration lock's single-key space.
    static let lockNamespace: Int32 = 0x7773_7063

    /// The second key of a workspace's lock: the first four bytes of SHA-256 of its gid. Two workspaces that share
    /// a key only wait for each other.
    static func lockKey(_ workspaceGid: String) -> Int32 {
        let digest = Array(SHA256.hash(data: Data(workspaceGid.utf8)))
        return Int32(bitPattern: UInt32(digest[0]) << 24 | UInt32(digest[1]) << 16 | UInt32(digest[2]) << 8 | UInt32(digest[3]))
    }

    /// Takes the workspace's transaction-scoped advisory lock
    /// (https://www.postgresql.org/docs/current/explicit-locking.html#ADVISORY-LOCKS), held until commit or
    /// rollback. An advisory lock rather than the workspace row's: the row does not exist before the first snapshot.
    func lockWorkspace() async throws {
        try await connection.query(
            "SELECT pg_advisory_xact_lock(\(Self.lockNamespace), \(Self.lockKey(workspaceGid)))", logger: logger)
    }

    // MARK: Snapshot

    func apply(_ snapshot: WorkspaceSnapshot) async throws -> SnapshotCounts {
        try await lockWorkspace()
        // What is stored now.
        var stored = StoredPicture()
        let userRows = try await connection.query("""
            SELECT gid, name, email, is_active, is_admin, is_guest, is_view_only, departed_at, first_seen_at, last_seen_at
            FROM workspace_user WHERE workspace_gid = \(workspaceGid)
            """, logger: logger)
        for try await (gid, name, email, isActive, isAdmin, isGuest, isViewOnly, departedAt, firstSeenAt, lastSeenAt) in userRows.decode(
            (String, String?, String?, Bool?, Bool?, Bool?, Bool?, Int64?, Int64, Int64).self) {
            stored.users[gid] = StoredPerson(
                state: UserState(name: name, email: email, isActive: isActive, isAdmin: isAdmin, isGuest: isGuest, isViewOnly: isViewOnly),
                departed: departedAt != nil, firstSeenAt: firstSeenAt, lastSeenAt: lastSeenAt)
        }
        for try await (gid, name) in try await connection.query(
            "SELECT gid, name FROM team WHERE workspace_gid = \(workspaceGid)", logger: logger).decode((String, String).self) {
            stored.teamNames[gid] = name
        }
        for try await (userGid, teamGid, isAdmin, isGuest, isLimitedAccess) in try await connection.query("""
            SELECT user_gid, team_gid, is_admin, is_guest, is_limited_access FROM team_membership WHERE workspace_gid = \(workspaceGid)
            """, logger: logger).decode((String, String, Bool?, Bool?, Bool?).self) {
            stored.memberships.append(SnapshotTeamMembership(
                teamGid: teamGid, userGid: userGid, isAdmin: isAdmin, isGuest: isGuest, isLimitedAccess: isLimitedAccess))
        }
        let plan = SnapshotPlan(snapshot: snapshot, stored: stored, now: now)

        // Workspace; history is complete from its first snapshot.
        var previousSync: Int64?
        for try await value in try await connection.query(
            "SELECT last_synced_at FROM workspace WHERE gid = \(workspaceGid)", logger: logger).decode(Int64?.self) {
            previousSync = value
        }
        try await connection.query("""
            INSERT INTO workspace (gid, name, is_organization, last_synced_at, history_from)
            VALUES (\(workspaceGid), \(snapshot.workspace.name), \(snapshot.workspace.isOrganization), \(now), \(now))
            ON CONFLICT (gid) DO UPDATE SET
                name = excluded.name, is_organization = excluded.is_organization, last_synced_at = excluded.last_synced_at
            """, logger: logger)

        // Memberships are replaced wholesale (preserved ones re-inserted below); teams upserted, absent
        // teams deleted, unless the team listing could not be read.
        try await connection.query("DELETE FROM team_membership WHERE workspace_gid = \(workspaceGid)", logger: logger)
        if !plan.deletedTeams.isEmpty {
            try await connection.query(
                "DELETE FROM team WHERE workspace_gid = \(workspaceGid) AND gid = ANY(\(plan.deletedTeams))", logger: logger)
        }
        if !plan.upsertedTeams.isEmpty {
            let teams = plan.upsertedTeams
            try await connection.query("""
                INSERT INTO team (workspace_gid, gid, name)
                SELECT \(workspaceGid), v.gid, v.name FROM unnest(\(teams.map(\.gid)), \(teams.map(\.name))) AS v(gid, name)
                ON CONFLICT (workspace_gid, gid) DO UPDATE SET name = excluded.name
                """, logger: logger)
        }

        // People.
        if !plan.insertedUsers.isEmpty {
            let users = UserColumns(plan.insertedUsers)
            try await connection.query("""
                INSERT INTO workspace_user (workspace_gid, gid, name, email, is_active, is_admin, is_guest, is_view_only, name_key, email_key,
                    first_seen_at, last_seen_at, departed_at, changed_at, added_at)
                SELECT \(workspaceGid), v.*, \(now), \(now), NULL, \(now), \(now)
                FROM unnest(\(users.gid), \(users.name), \(users.email), \(users.isActive), \(users.isAdmin), \(users.isGuest),
                    \(users.isViewOnly), \(users.nameKey), \(users.emailKey))
                    AS v(gid, name, email, is_active, is_admin, is_guest, is_view_only, name_key, email_key)
                """, logger: logger)
        }
        // changed_at and added_at: the new time when the row's flag is true, else kept.
        if !plan.updatedUsers.isEmpty {
            let users = UserColumns(plan.updatedUsers.map(\.user))
            try await connection.query("""
                UPDATE workspace_user u SET name = v.name, email = v.email, is_active = v.is_active, is_admin = v.is_admin,
                    is_guest = v.is_guest, is_view_only = v.is_view_only, name_key = v.name_key, email_key = v.email_key,
                    last_seen_at = \(now), departed_at = NULL,
                    changed_at = CASE WHEN v.changed THEN \(now) ELSE u.changed_at END,
                    added_at = CASE WHEN v.returned THEN \(now) ELSE u.added_at END
                FROM unnest(\(users.gid), \(users.name), \(users.email), \(users.isActive), \(users.isAdmin), \(users.isGuest),
                    \(users.isViewOnly), \(users.nameKey), \(users.emailKey), \(plan.updatedUsers.map(\.changed)),
                    \(plan.updatedUsers.map(\.returned)))
                    AS v(gid, name, email, is_active, is_admin, is_guest, is_view_only, name_key, email_key, changed, returned)
                WHERE u.workspace_gid = \(workspaceGid) AND u.gid = v.gid
                """, logger: logger)
        }

        // Departures: kept, with departed_at.
        if !plan.departedUsers.isEmpty {
            try await connection.query("""
                UPDATE workspace_user SET departed_at = \(now), is_active = false, changed_at = \(now)
                WHERE workspace_gid = \(workspaceGid) AND gid = ANY(\(plan.departedUsers))
                """, logger: logger)
        }

        // Team memberships, each with its member's name as written above (the copy that orders a team's listing, v3).
        if !plan.memberships.isEmpty {
            let memberships = plan.memberships
            try await connection.query("""
                INSERT INTO team_membership (workspace_gid, team_gid, user_gid, is_admin, is_guest, is_limited_access, user_name)
                SELECT \(workspaceGid), v.* FROM unnest(\(memberships.map(\.teamGid)), \(memberships.map(\.userGid)),
                    \(PostgresColumn(memberships.map(\.isAdmin))), \(PostgresColumn(memberships.map(\.isGuest))),
                    \(PostgresColumn(memberships.map(\.isLimitedAccess))),
                    \(PostgresColumn(memberships.map { plan.people[$0.userGid]?.name }))) AS v
                """, logger: logger)
        }

        try await PostgresHistoryWriter(connection: connection, logger: logger, workspaceGid: workspaceGid, now: now,
                                        provenance: provenance, previousSync: previousSync).record(plan.history)
        return plan.counts
    }

    /// People as columns: gid, name, email, the four flags, and the search forms of name and email.
    private struct UserColumns {
        var gid: [String]
        var name, email, nameKey, emailKey: PostgresColumn<String>
        var isActive, isAdmin, isGuest, isViewOnly: PostgresColumn<Bool>

        init(_ users: [SnapshotUser]) {
            gid = users.map(\.gid)
            name = PostgresColumn(users.map(\.name))
            email = PostgresColumn(users.map(\.email))
            nameKey = PostgresColumn(users.map { $0.name.map(SearchKey.of) })
            emailKey = PostgresColumn(users.map { $0.email.map(SearchKey.of) })
            isActive = PostgresColumn(users.map(\.isActive))
            isAdmin = PostgresColumn(users.map(\.isAdmin))
            isGuest = PostgresColumn(users.map(\.isGuest))
            isViewOnly = PostgresColumn(users.map(\.isViewOnly))
        }
    }

    // MARK: Provision change

    func apply(_ change: ProvisionChange) async throws {
        try await lockWorkspace()
        let userGid = change.user.gid
        let before = try await storedState(of: userGid)
        let teamEvents = try await applyRows(change)
        guard let after = try await storedState(of: userGid) else { return }
        let person = after.person.state.history(departed: after.person.departed)
        let teamsBefore = MembershipState.byTeam(before?.comparable.teams)
        let teamsAfter = MembershipState.byTeam(after.comparable.teams)
        var names: [String: String] = [:]
        let teamGids = Array(Set(teamsBefore.keys).union(teamsAfter.keys))
        if !teamGids.isEmpty {
            for try await (gid, name) in try await connection.query(
                "SELECT gid, name FROM team WHERE workspace_gid = \(workspaceGid) AND gid = ANY(\(teamGids))", logger: logger
            ).decode((String, String).self) {
                names[gid] = name
            }
        }
        try await PostgresHistoryWriter(connection: connection, logger: logger, workspaceGid: workspaceGid, now: now,
                                        provenance: provenance, previousSync: nil).record(teamEvents + [
            .person(gid: userGid, from: before.map { $0.person.state.history(departed: $0.person.departed) }, to: person,
                    firstSeenAt: after.person.firstSeenAt, lastSeenAt: after.person.lastSeenAt),
            .teams(userGid: userGid, person: person, from: teamsBefore, to: teamsAfter, teamNames: names),
        ])
        // changed_at / added_at follow what the change did to the row, compared as a snapshot would.
        let outcome = ProvisionComparable.outcome(from: before?.comparable, to: after.comparable)
        if outcome.changed {
            try await connection.query("""
                UPDATE workspace_user SET changed_at = \(now), added_at = CASE WHEN \(outcome.returned) THEN \(now) ELSE added_at END
                WHERE workspace_gid = \(workspaceGid) AND gid = \(userGid)
                """, logger: logger)
        }
    }

    /// A stored person row and its team memberships.
    private func storedState(of userGid: String) async throws -> (person: StoredPerson, comparable: ProvisionComparable)? {
        var person: StoredPerson?
        for try await (name, email, isActive, isAdmin, isGuest, isViewOnly, departedAt, firstSeenAt, lastSeenAt) in try await connection.query("""
            SELECT name, email, is_active, is_admin, is_guest, is_view_only, departed_at, first_seen_at, last_seen_at
            FROM workspace_user WHERE workspace_gid = \(workspaceGid) AND gid = \(userGid)
            """, logger: logger).decode((String?, String?, Bool?, Bool?, Bool?, Bool?, Int64?, Int64, Int64).self) {
            person = StoredPerson(
                state: UserState(name: name, email: email, isActive: isActive, isAdmin: isAdmin, isGuest: isGuest, isViewOnly: isViewOnly),
                departed: departedAt != nil, firstSeenAt: firstSeenAt, lastSeenAt: lastSeenAt)
        }
        guard let person else { return nil }
        var teams: Set<MembershipState> = []
        for try await (teamGid, isAdmin, isGuest, isLimitedAccess) in try await connection.query("""
            SELECT team_gid, is_admin, is_guest, is_limited_access FROM team_membership
            WHERE workspace_gid = \(workspaceGid) AND user_gid = \(userGid)
            """, logger: logger).decode((String, Bool?, Bool?, Bool?).self) {
            teams.insert(MembershipState(teamGid: teamGid, isAdmin: isAdmin, isGuest: isGuest, isLimitedAccess: isLimitedAccess))
        }
        return (person, ProvisionComparable(state: person.state, departed: person.departed, teams: teams))
    }

    /// Writes the person's row and team memberships as SQLite's `SnapshotWriter` does; returns the history events
    /// of the teams it created or renamed.
    private func applyRows(_ change: ProvisionChange) async throws -> [HistoryEvent] {
        let user = change.user
        let nameKey = user.name.map(SearchKey.of)
        let emailKey = user.email.map(SearchKey.of)
        let exists = try await connection.query("""
            SELECT 1 FROM workspace_user WHERE workspace_gid = \(workspaceGid) AND gid = \(user.gid)
            """, logger: logger).collect().count > 0

        switch change.workspaceAction {
        case .removed:
            guard exists else { return [] }
            try await connection.query("""
                UPDATE workspace_user SET name = coalesce(\(user.name), name), email = coalesce(\(user.email), email),
                    name_key = coalesce(\(nameKey), name_key), email_key = coalesce(\(emailKey), email_key),
                    is_active = false, departed_at = coalesce(departed_at, \(now))
                WHERE workspace_gid = \(workspaceGid) AND gid = \(user.gid)
                """, logger: logger)
            try await connection.query(
                "DELETE FROM team_membership WHERE workspace_gid = \(workspaceGid) AND user_gid = \(user.gid)", logger: logger)
            return []
        case .added:
            if exists {
                try await connection.query("""
                    UPDATE workspace_user SET name = coalesce(\(user.name), name), email = coalesce(\(user.email), email),
                        name_key = coalesce(\(nameKey), name_key), email_key = coalesce(\(emailKey), email_key), is_active = true,
                        is_admin = coalesce(\(user.isAdmin), is_admin), is_guest = coalesce(\(user.isGuest), is_guest),
                        is_view_only = coalesce(\(user.isViewOnly), is_view_only), last_seen_at = \(now), departed_at = NULL
                    WHERE workspace_gid = \(workspaceGid) AND gid = \(user.gid)
                    """, logger: logger)
            } else {
                var active = user
                active.isActive = true
                try await insertUser(active)
            }
        case .none:
            if exists {
                try await connection.query("""
                    UPDATE workspace_user SET name = coalesce(\(user.name), name), email = coalesce(\(user.email), email),
                        name_key = coalesce(\(nameKey), name_key), email_key = coalesce(\(emailKey), email_key),
                        is_active = coalesce(\(user.isActive), is_active), is_admin = coalesce(\(user.isAdmin), is_admin),
                        is_guest = coalesce(\(user.isGuest), is_guest), is_view_only = coalesce(\(user.isViewOnly), is_view_only),
                        last_seen_at = \(now)
                    WHERE workspace_gid = \(workspaceGid) AND gid = \(user.gid)
                    """, logger: logger)
            } else {
                try await insertUser(user)
            }
        }

        var events: [HistoryEvent] = []
        for team in change.teamsAdded {
            let stored = try await connection.query(
                "SELECT name FROM team WHERE workspace_gid = \(workspaceGid) AND gid = \(team.gid)", logger: logger
            ).collect().first.map { try $0.get("name", as: String.self) }
            // A team named twice in one change is one event: from the name stored before, to the last one.
            var original = stored
            if let index = events.firstIndex(where: { if case .team(let gid, _, _) = $0 { gid == team.gid } else { false } }) {
                if case .team(_, let from, _) = events[index] { original = from }
                events.remove(at: index)
            }
            events.append(.team(gid: team.gid, from: original, to: team.name))
            try await connection.query("""
                INSERT INTO team (workspace_gid, gid, name) VALUES (\(workspaceGid), \(team.gid), \(team.name))
                ON CONFLICT (workspace_gid, gid) DO UPDATE SET name = excluded.name
                """, logger: logger)
            try await connection.query("""
                INSERT INTO team_membership (workspace_gid, team_gid, user_gid, user_name)
                SELECT \(workspaceGid), \(team.gid), \(user.gid), (SELECT name FROM workspace_user WHERE workspace_gid = \(workspaceGid) AND gid = \(user.gid))
                ON CONFLICT (workspace_gid, team_gid, user_gid) DO NOTHING
                """, logger: logger)
        }
        for teamGid in change.teamsRemoved {
            try await connection.query("""
                DELETE FROM team_membership WHERE workspace_gid = \(workspaceGid) AND team_gid = \(teamGid) AND user_gid = \(user.gid)
                """, logger: logger)
        }
        return events
    }

    private func insertUser(_ user: SnapshotUser) async throws {
        try await connection.query("""
            INSERT INTO workspace_user (workspace_gid, gid, name, email, is_active, is_admin, is_guest, is_view_only,
                first_seen_at, last_seen_at, departed_at, changed_at, added_at, name_key, email_key)
            VALUES (\(workspaceGid), \(user.gid), \(user.name), \(user.email), \(user.isActive), \(user.isAdmin), \(user.isGuest),
                \(user.isViewOnly), \(now), \(now), NULL, \(now), \(now), \(user.name.map(SearchKey.of)), \(user.email.map(SearchKey.of)))
            """, logger: logger)
    }
}

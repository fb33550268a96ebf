import AccessProtocol
import Foundation
import GRDB

extension SQLiteAccessStore {
    /// Replaces the stored picture of `snapshot.workspace` with `snapshot`, in ONE write
    /// transaction: it commits whole or not at all.
    ///
    /// - The workspace row is upserted with `lastSyncedAt = at`.
    /// - Present people are inserted or updated (`lastSeenAt = at`); a departed person who is
    ///   present again has `departedAt` cleared and counts as added. Nil flags are stored as unknown.
    /// - People with a row but absent from the snapshot are kept, with `departedAt = at` and
    ///   `isActive = false` (absent from a complete sync means no membership at all).
    /// - `changedAt = at` exactly for the people counted as added, updated or departed; `addedAt = at`
    ///   for those counted as added.
    /// - Teams absent from the snapshot are deleted; team memberships of the workspace are
    ///   replaced by the snapshot's (those naming an absent user or team are ignored).
    /// - Partial team data: with ``WorkspaceSnapshot/preservesAllTeams`` no team is deleted, renamed or
    ///   added and every stored membership is kept; the memberships of each team in
    ///   ``WorkspaceSnapshot/preservedTeamGids`` are kept as stored. Kept memberships of people who depart
    ///   in this snapshot are removed all the same (a departed person has no team). All in the same transaction.
    ///
    /// Only apply a snapshot whose users listing was complete: it marks absent people departed.
    /// - Returns: counts as defined on ``SnapshotCounts``; `teams` and `teamMemberships` count what is
    ///   stored after the apply, preserved rows included.
    /// - Throws: ``AccessStoreError/invalidArgument(_:)`` when a workspace, user or team gid is empty.
    @discardableResult
    public func applySnapshot(_ snapshot: WorkspaceSnapshot, at: Date, syncRunId: Int64?) async throws -> SnapshotCounts {
        guard !snapshot.workspace.gid.isEmpty else { throw AccessStoreError.invalidArgument("the workspace gid is empty") }
        guard snapshot.users.allSatisfy({ !$0.gid.isEmpty }) else { throw AccessStoreError.invalidArgument("a user gid is empty") }
        guard snapshot.teams.allSatisfy({ !$0.gid.isEmpty }) else { throw AccessStoreError.invalidArgument("a team gid is empty") }
        let now = UnixMillis.from(at)
        return try await dbWriter.write { db in
            try SnapshotWriter(db: db, workspaceGid: snapshot.workspace.gid, now: now, provenance: .sync(runId: syncRunId)).apply(snapshot)
        }
    }

    /// Reflects a provisioning call in the stored picture at once (one transaction), without a sync.
    ///
    /// - `.added`: upserts the person with `isActive = true`, `departedAt = nil`, `lastSeenAt = at`;
    ///   nil fields of `change.user` keep the stored values.
    /// - `.removed`: sets `isActive = false`, `departedAt = at` (kept if already departed) and deletes the
    ///   person's team memberships; does nothing for a person the store has never seen.
    /// - `.none`: upserts the person's known fields (a new row keeps the flags given, unknown otherwise).
    /// - Then, except for `.removed`: `teamsAdded` are upserted as teams and memberships (flags unknown),
    ///   and memberships of `teamsRemoved` are deleted (removals win over additions of the same team).
    /// - `changedAt = at` when the person's name, email, flags, team memberships or departure changed;
    ///   `addedAt = at` when the person is new or back after having departed.
    /// - Throws: ``AccessStoreError/invalidArgument(_:)`` when the workspace, user or a team gid is empty.
    public func applyProvisionChange(_ change: ProvisionChange, at: Date) async throws {
        guard !change.workspaceGid.isEmpty else { throw AccessStoreError.invalidArgument("the workspace gid is empty") }
        guard !change.user.gid.isEmpty else { throw AccessStoreError.invalidArgument("the user gid is empty") }
        guard change.teamsAdded.allSatisfy({ !$0.gid.isEmpty }), change.teamsRemoved.allSatisfy({ !$0.isEmpty }) else {
            throw AccessStoreError.invalidArgument("a team gid is empty")
        }
        let now = UnixMillis.from(at)
        try await dbWriter.write { db in
            try SnapshotWriter(db: db, workspaceGid: change.workspaceGid, now: now,
                               provenance: .provision(principal: change.principal, callId: change.callId)).apply(change)
        }
    }
}

/// The write side of snapshots and provision changes, run inside one write transaction, with the
/// history of what they change (``HistoryWriter``).
struct SnapshotWriter {
    let db: Database
    let workspaceGid: String
    /// Unix milliseconds of the change.
    let now: Int64
    /// Who or what saw the change, for history.
    let provenance: ChangeProvenance

    /// The stored fields of a user that "updated" compares.
    private struct UserState: Equatable {
        var name: String?
        var email: String?
        var isActive: Bool?
        var isAdmin: Bool?
        var isGuest: Bool?
        var isViewOnly: Bool?

        init(_ user: SnapshotUser) {
            name = user.name
            email = user.email
            isActive = user.isActive
            isAdmin = user.isAdmin
            isGuest = user.isGuest
            isViewOnly = user.isViewOnly
        }

        init(row: Row) {
            name = row["name"]
            email = row["email"]
            isActive = row["isActive"]
            isAdmin = row["isAdmin"]
            isGuest = row["isGuest"]
            isViewOnly = row["isViewOnly"]
        }

        /// The state history keeps.
        func history(departed: Bool) -> PersonState {
            PersonState(name: name, email: email, isActive: isActive, isAdmin: isAdmin, isGuest: isGuest, isViewOnly: isViewOnly, departed: departed)
        }
    }

    /// One team membership of a user, as compared between snapshots.
    private struct MembershipState: Hashable {
        var teamGid: String
        var isAdmin: Bool?
        var isGuest: Bool?
        var isLimitedAccess: Bool?

        var rights: TeamRights { TeamRights(isAdmin: isAdmin, isGuest: isGuest, isLimitedAccess: isLimitedAccess) }

        /// Team gid → rights, as history compares them.
        static func byTeam(_ memberships: Set<MembershipState>?) -> [String: TeamRights] {
            Dictionary((memberships ?? []).map { ($0.teamGid, $0.rights) }, uniquingKeysWith: { first, _ in first })
        }
    }

    private struct MembershipKey: Hashable {
        var teamGid: String
        var userGid: String
    }

    // MARK: Snapshot

    func apply(_ snapshot: WorkspaceSnapshot) throws -> SnapshotCounts {
        // Deduplicate input: the last occurrence of a gid wins, first-seen order is kept.
        var users: [String: SnapshotUser] = [:]
        var userOrder: [String] = []
        for user in snapshot.users where users.updateValue(user, forKey: user.gid) == nil {
            userOrder.append(user.gid)
        }
        let keepAllTeams = snapshot.preservesAllTeams
        let preservedTeams = snapshot.preservedTeamGids
        var teams: [String: SnapshotTeam] = [:]
        var teamOrder: [String] = []
        for team in snapshot.teams where !keepAllTeams && teams.updateValue(team, forKey: team.gid) == nil {
            teamOrder.append(team.gid)
        }
        var memberships: [MembershipKey: SnapshotTeamMembership] = [:]
        var membershipOrder: [MembershipKey] = []
        for membership in snapshot.teamMemberships
        where !keepAllTeams && !preservedTeams.contains(membership.teamGid) && users[membership.userGid] != nil && teams[membership.teamGid] != nil {
            let key = MembershipKey(teamGid: membership.teamGid, userGid: membership.userGid)
            if memberships.updateValue(membership, forKey: key) == nil {
                membershipOrder.append(key)
            }
        }

        // What is stored now.
        var existing: [String: (state: UserState, departed: Bool)] = [:]
        let userRows = try Row.fetchCursor(db, sql: """
            SELECT gid, name, email, isActive, isAdmin, isGuest, isViewOnly, departedAt
            FROM workspaceUser WHERE workspaceGid = ?
            """, arguments: [workspaceGid])
        while let row = try userRows.next() {
            existing[row["gid"]] = (UserState(row: row), row["departedAt"] != nil)
        }
        var oldTeamsOfUser: [String: Set<MembershipState>] = [:]
        var storedTeamNames: [String: String] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT gid, name FROM team WHERE workspaceGid = ?", arguments: [workspaceGid]) {
            storedTeamNames[row["gid"]] = row["name"]
        }
        let storedTeamGids = Array(storedTeamNames.keys)
        let membershipRows = try Row.fetchCursor(db, sql: """
            SELECT userGid, teamGid, isAdmin, isGuest, isLimitedAccess
            FROM teamMembership WHERE workspaceGid = ?
            """, arguments: [workspaceGid])
        while let row = try membershipRows.next() {
            let userGid: String = row["userGid"]
            let teamGid: String = row["teamGid"]
            let isAdmin: Bool? = row["isAdmin"]
            let isGuest: Bool? = row["isGuest"]
            let isLimitedAccess: Bool? = row["isLimitedAccess"]
            oldTeamsOfUser[userGid, default: []].insert(MembershipState(
                teamGid: teamGid, isAdmin: isAdmin, isGuest: isGuest, isLimitedAccess: isLimitedAccess))
            // Memberships that could not be read this time stay as stored, for people still present.
            let teamKept = keepAllTeams || (preservedTeams.contains(teamGid) && teams[teamGid] != nil)
            if teamKept, users[userGid] != nil {
                let key = MembershipKey(teamGid: teamGid, userGid: userGid)
                if memberships.updateValue(
                    SnapshotTeamMembership(teamGid: teamGid, userGid: userGid, isAdmin: isAdmin, isGuest: isGuest, isLimitedAccess: isLimitedAccess),
                    forKey: key) == nil {
                    membershipOrder.append(key)
                }
            }
        }
        var newTeamsOfUser: [String: Set<MembershipState>] = [:]
        for membership in memberships.values {
            newTeamsOfUser[membership.userGid, default: []].insert(MembershipState(
                teamGid: membership.teamGid, isAdmin: membership.isAdmin,
                isGuest: membership.isGuest, isLimitedAccess: membership.isLimitedAccess))
        }

        // Workspace; history is complete from its first snapshot.
        let previousSync = try Int64.fetchOne(db, sql: "SELECT lastSyncedAt FROM workspace WHERE gid = ?", arguments: [workspaceGid])
        let history = HistoryWriter(db: db, workspaceGid: workspaceGid, now: now, provenance: provenance, previousSync: previousSync)
        try db.execute(
            sql: """
                INSERT INTO workspace (gid, name, isOrganization, lastSyncedAt, historyFrom) VALUES (?, ?, ?, ?, ?)
                ON CONFLICT (gid) DO UPDATE SET
                    name = excluded.name, isOrganization = excluded.isOrganization, lastSyncedAt = excluded.lastSyncedAt
                """,
            arguments: [workspaceGid, snapshot.workspace.name, snapshot.workspace.isOrganization, now, now])

        // Memberships are replaced wholesale (preserved ones re-inserted below); teams upserted, absent
        // teams deleted, unless the team listing could not be read.
        try db.execute(sql: "DELETE FROM teamMembership WHERE workspaceGid = ?", arguments: [workspaceGid])
        let deleteTeam = try db.cachedStatement(sql: "DELETE FROM team WHERE workspaceGid = ? AND gid = ?")
        for gid in storedTeamGids where !keepAllTeams && teams[gid] == nil {
            try deleteTeam.execute(arguments: [workspaceGid, gid])
            try history.recordTeam(gid, from: storedTeamNames[gid], to: nil)
        }
        for gid in teamOrder {
            guard let team = teams[gid] else { continue }
            try upsertTeam(team, history: history)
        }

        // Users.
        var counts = SnapshotCounts(
            users: userOrder.count, teams: keepAllTeams ? storedTeamGids.count : teamOrder.count, teamMemberships: membershipOrder.count)
        let insertUser = try db.cachedStatement(sql: """
            INSERT INTO workspaceUser (workspaceGid, gid, name, email, isActive, isAdmin, isGuest, isViewOnly, firstSeenAt, lastSeenAt, departedAt, changedAt, addedAt)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, ?, ?)
            """)
        // changedAt and addedAt: the new time when the flag argument is 1, else kept.
        let updateUser = try db.cachedStatement(sql: """
            UPDATE workspaceUser SET name = ?, email = ?, isActive = ?, isAdmin = ?, isGuest = ?, isViewOnly = ?,
                lastSeenAt = ?, departedAt = NULL,
                changedAt = CASE WHEN ? THEN ? ELSE changedAt END, addedAt = CASE WHEN ? THEN ? ELSE addedAt END
            WHERE workspaceGid = ? AND gid = ?
            """)
        for gid in userOrder {
            guard let user = users[gid] else { continue }
            let state = UserState(user)
            if let old = existing[gid] {
                var changed = false
                if old.departed {
                    counts.added += 1
                    changed = true
                } else if old.state != state || (oldTeamsOfUser[gid] ?? []) != (newTeamsOfUser[gid] ?? []) {
                    counts.updated += 1
                    changed = true
                }
                try updateUser.execute(arguments: [
                    user.name, user.email, user.isActive, user.isAdmin, user.isGuest, user.isViewOnly, now,
                    changed, now, old.departed, now, workspaceGid, gid,
                ])
            } else {
                counts.added += 1
                try insertUser.execute(arguments: [
                    workspaceGid, gid, user.name, user.email, user.isActive, user.isAdmin, user.isGuest, user.isViewOnly, now, now, now, now,
                ])
            }
            try history.recordPerson(gid, from: existing[gid].map { $0.state.history(departed: $0.departed) }, to: state.history(departed: false))
        }

        // Departures: kept, with departedAt.
        let departUser = try db.cachedStatement(sql: """
            UPDATE workspaceUser SET departedAt = ?, isActive = 0, changedAt = ? WHERE workspaceGid = ? AND gid = ?
            """)
        for (gid, old) in existing where users[gid] == nil && !old.departed {
            counts.departed += 1
            try departUser.execute(arguments: [now, now, workspaceGid, gid])
            var gone = old.state.history(departed: true)
            gone.isActive = false
            try history.recordPerson(gid, from: old.state.history(departed: false), to: gone)
        }

        // Team memberships.
        let insertMembership = try db.cachedStatement(sql: """
            INSERT INTO teamMembership (workspaceGid, teamGid, userGid, isAdmin, isGuest, isLimitedAccess)
            VALUES (?, ?, ?, ?, ?, ?)
            """)
        for key in membershipOrder {
            guard let membership = memberships[key] else { continue }
            try insertMembership.execute(arguments: [
                workspaceGid, membership.teamGid, membership.userGid,
                membership.isAdmin, membership.isGuest, membership.isLimitedAccess,
            ])
        }
        for gid in Set(oldTeamsOfUser.keys).union(newTeamsOfUser.keys).sorted() {
            let person = users[gid].map { UserState($0).history(departed: false) } ?? existing[gid]?.state.history(departed: true)
            guard let person else { continue }
            try history.recordTeams(gid, person: person, from: MembershipState.byTeam(oldTeamsOfUser[gid]), to: MembershipState.byTeam(newTeamsOfUser[gid])) {
                teams[$0]?.name ?? storedTeamNames[$0]
            }
        }
        return counts
    }

    // MARK: Provision change

    func apply(_ change: ProvisionChange) throws {
        let history = HistoryWriter(db: db, workspaceGid: workspaceGid, now: now, provenance: provenance, previousSync: nil)
        let before = try storedState(of: change.user.gid)
        try applyRows(change, history: history)
        guard let after = try storedState(of: change.user.gid) else { return }
        let person = after.state.history(departed: after.departed)
        try history.recordPerson(change.user.gid, from: before.map { $0.state.history(departed: $0.departed) }, to: person)
        try history.recordTeams(change.user.gid, person: person, from: MembershipState.byTeam(before?.teams), to: MembershipState.byTeam(after.teams)) { gid in
            try? String.fetchOne(db, sql: "SELECT name FROM team WHERE workspaceGid = ? AND gid = ?", arguments: [workspaceGid, gid])
        }
        // changedAt / addedAt follow what the change did to the row, compared as a snapshot would.
        guard let before else { return }  // new rows got both on insert
        let returned = before.departed && !after.departed
        if returned || before != after {
            try db.execute(
                sql: "UPDATE workspaceUser SET changedAt = ?, addedAt = CASE WHEN ? THEN ? ELSE addedAt END WHERE workspaceGid = ? AND gid = ?",
                arguments: [now, returned, now, workspaceGid, change.user.gid])
        }
    }

    /// A stored person as compared for `changedAt`: fields, departure, team memberships with their flags.
    private struct StoredState: Equatable {
        var state: UserState
        var departed: Bool
        var teams: Set<MembershipState>
    }

    private func storedState(of userGid: String) throws -> StoredState? {
        guard let row = try Row.fetchOne(
            db, sql: "SELECT name, email, isActive, isAdmin, isGuest, isViewOnly, departedAt FROM workspaceUser WHERE workspaceGid = ? AND gid = ?",
            arguments: [workspaceGid, userGid]) else { return nil }
        let teams = try Row.fetchAll(
            db, sql: "SELECT teamGid, isAdmin, isGuest, isLimitedAccess FROM teamMembership WHERE workspaceGid = ? AND userGid = ?",
            arguments: [workspaceGid, userGid]
        ).map { MembershipState(teamGid: $0["teamGid"], isAdmin: $0["isAdmin"], isGuest: $0["isGuest"], isLimitedAccess: $0["isLimitedAccess"]) }
        return StoredState(state: UserState(row: row), departed: row["departedAt"] != nil, teams: Set(teams))
    }

    private func applyRows(_ change: ProvisionChange, history: HistoryWriter) throws {
        let user = change.user
        let exists = try Bool.fetchOne(
            db, sql: "SELECT 1 FROM workspaceUser WHERE workspaceGid = ? AND gid = ?",
            arguments: [workspaceGid, user.gid]) ?? false

        switch change.workspaceAction {
        case .removed:
            guard exists else { return }
            try db.execute(
                sql: """
                    UPDATE workspaceUser SET name = coalesce(?, name), email = coalesce(?, email),
                        isActive = 0, departedAt = coalesce(departedAt, ?)
                    WHERE workspaceGid = ? AND gid = ?
                    """,
                arguments: [user.name, user.email, now, workspaceGid, user.gid])
            try db.execute(
                sql: "DELETE FROM teamMembership WHERE workspaceGid = ? AND userGid = ?",
                arguments: [workspaceGid, user.gid])
            return
        case .added:
            if exists {
                try db.execute(
                    sql: """
                        UPDATE workspaceUser SET name = coalesce(?, name), email = coalesce(?, email), isActive = 1,
                            isAdmin = coalesce(?, isAdmin), isGuest = coalesce(?, isGuest), isViewOnly = coalesce(?, isViewOnly),
                            lastSeenAt = ?, departedAt = NULL
                        WHERE workspaceGid = ? AND gid = ?
                        """,
                    arguments: [user.name, user.email, user.isAdmin, user.isGuest, user.isViewOnly, now, workspaceGid, user.gid])
            } else {
                var active = user
                active.isActive = true
                try insertUser(active)
            }
        case .none:
            if exists {
                try db.execute(
                    sql: """
                        UPDATE workspaceUser SET name = coalesce(?, name), email = coalesce(?, email),
                            isActive = coalesce(?, isActive), isAdmin = coalesce(?, isAdmin),
                            isGuest = coalesce(?, isGuest), isViewOnly = coalesce(?, isViewOnly), lastSeenAt = ?
                        WHERE workspaceGid = ? AND gid = ?
                        """,
                    arguments: [user.name, user.email, user.isActive, user.isAdmin, user.isGuest, user.isViewOnly, now, workspaceGid, user.gid])
            } else {
                try insertUser(user)
            }
        }

        for team in change.teamsAdded {
            try upsertTeam(team, history: history)
            try db.execute(
                sql: """
                    INSERT INTO teamMembership (workspaceGid, teamGid, userGid) VALUES (?, ?, ?)
                    ON CONFLICT (workspaceGid, teamGid, userGid) DO NOTHING
                    """,
                arguments: [workspaceGid, team.gid, user.gid])
        }
        for teamGid in change.teamsRemoved {
            try db.execute(
                sql: "DELETE FROM teamMembership WHERE workspaceGid = ? AND teamGid = ? AND userGid = ?",
                arguments: [workspaceGid, teamGid, user.gid])
        }
    }

    // MARK: Helpers

    private func insertUser(_ user: SnapshotUser) throws {
        try db.execute(
            sql: """
                INSERT INTO workspaceUser (workspaceGid, gid, name, email, isActive, isAdmin, isGuest, isViewOnly, firstSeenAt, lastSeenAt, departedAt, changedAt, addedAt)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, ?, ?)
                """,
            arguments: [workspaceGid, user.gid, user.name, user.email, user.isActive, user.isAdmin, user.isGuest, user.isViewOnly, now, now, now, now])
    }

    private func upsertTeam(_ team: SnapshotTeam, history: HistoryWriter) throws {
        let stored = try String.fetchOne(db, sql: "SELECT name FROM team WHERE workspaceGid = ? AND gid = ?", arguments: [workspaceGid, team.gid])
        try history.recordTeam(team.gid, from: stored, to: team.name)
        try db.cachedStatement(sql: """
            INSERT INTO team (workspaceGid, gid, name) VALUES (?, ?, ?)
            ON CONFLICT (workspaceGid, gid) DO UPDATE SET name = excluded.name
            """).execute(arguments: [workspaceGid, team.gid, team.name])
    }
}

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
        try snapshot.check()
        let now = UnixMillis.from(at)
        return try await dbWriter.write { db in
            let counts = try SnapshotWriter(db: db, workspaceGid: snapshot.workspace.gid, now: now, provenance: .sync(runId: syncRunId)).apply(snapshot)
            try ListingRank.refresh(db)
            return counts
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
        try change.check()
        let now = UnixMillis.from(at)
        try await dbWriter.write { db in
            try SnapshotWriter(db: db, workspaceGid: change.workspaceGid, now: now,
                               provenance: .provision(principal: change.principal, callId: change.callId)).apply(change)
            try ListingRank.refresh(db)
        }
    }
}

/// The write side of snapshots and provision changes in SQLite, run inside one write transaction, with the
/// history of what they change (``HistoryWriter``); the transaction then ranks new and renamed people
/// (``ListingRank/refresh(_:)``). What a snapshot changes is worked out by ``SnapshotPlan``.
struct SnapshotWriter {
    /// New people inserted a statement (12 parameters each, well under SQLite's 32,766).
    static let insertBatch = 500

    let db: Database
    let workspaceGid: String
    /// Unix milliseconds of the change.
    let now: Int64
    /// Who or what saw the change, for history.
    let provenance: ChangeProvenance

    // MARK: Snapshot

    func apply(_ snapshot: WorkspaceSnapshot) throws -> SnapshotCounts {
        // What is stored now.
        var stored = StoredPicture()
        let userRows = try Row.fetchCursor(db, sql: """
            SELECT gid, name, email, isActive, isAdmin, isGuest, isViewOnly, departedAt, firstSeenAt, lastSeenAt
            FROM workspaceUser WHERE workspaceGid = ?
            """, arguments: [workspaceGid])
        while let row = try userRows.next() {
            stored.users[row["gid"]] = StoredPerson(
                state: Self.userState(row), departed: row["departedAt"] != nil, firstSeenAt: row["firstSeenAt"], lastSeenAt: row["lastSeenAt"])
        }
        for row in try Row.fetchAll(db, sql: "SELECT gid, name FROM team WHERE workspaceGid = ?", arguments: [workspaceGid]) {
            stored.teamNames[row["gid"]] = row["name"]
        }
        let membershipRows = try Row.fetchCursor(db, sql: """
            SELECT userGid, teamGid, isAdmin, isGuest, isLimitedAccess
            FROM teamMembership WHERE workspaceGid = ?
            """, arguments: [workspaceGid])
        while let row = try membershipRows.next() {
            stored.memberships.append(SnapshotTeamMembership(
                teamGid: row["teamGid"], userGid: row["userGid"], isAdmin: row["isAdmin"], isGuest: row["isGuest"], isLimitedAccess: row["isLimitedAccess"]))
        }
        let plan = SnapshotPlan(snapshot: snapshot, stored: stored, now: now)

        // Workspace; history is complete from its first snapshot.
        let previousSync = try Int64.fetchOne(db, sql: "SELECT lastSyncedAt FROM workspace WHERE gid = ?", arguments: [workspaceGid])
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
        for gid in plan.deletedTeams {
            try deleteTeam.execute(arguments: [workspaceGid, gid])
        }
        for team in plan.upsertedTeams {
            try upsertTeam(team)
        }

        // Users. New ones many rows a statement: the insert trigger of the text index (migration v16) writes to an
        // FTS5 table, which writes its pending entries out at the end of every statement that fires it; one row a
        // statement made a first sync of 100,000 people 15 s -> 42 s, so the rows go ``insertBatch`` a statement.
        for start in stride(from: 0, to: plan.insertedUsers.count, by: Self.insertBatch) {
            let users = plan.insertedUsers[start..<min(start + Self.insertBatch, plan.insertedUsers.count)]
            let rows = Array(repeating: "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, ?, ?)", count: users.count).joined(separator: ", ")
            var arguments = StatementArguments()
            for user in users {
                arguments += [workspaceGid, user.gid, user.name, user.email, user.isActive, user.isAdmin, user.isGuest, user.isViewOnly, now, now, now, now]
            }
            try db.cachedStatement(sql: """
                INSERT INTO workspaceUser (workspaceGid, gid, name, email, isActive, isAdmin, isGuest, isViewOnly, firstSeenAt, lastSeenAt, departedAt, changedAt, addedAt)
                VALUES \(rows)
                """).execute(arguments: arguments)
        }
        // changedAt and addedAt: the new time when the flag argument is 1, else kept.
        let updateUser = try db.cachedStatement(sql: """
            UPDATE workspaceUser SET name = ?, email = ?, isActive = ?, isAdmin = ?, isGuest = ?, isViewOnly = ?,
                lastSeenAt = ?, departedAt = NULL,
                changedAt = CASE WHEN ? THEN ? ELSE changedAt END, addedAt = CASE WHEN ? THEN ? ELSE addedAt END
            WHERE workspaceGid = ? AND gid = ?
            """)
        // Someone whose row already says what the snapshot says only gets `lastSeenAt`: writing every column again
        // rewrote the entry of each listing index that holds one (six) and ran the rename triggers' checks; at 100,000
        // people and nothing new, 1.25 s -> 0.21 s.
        let touchUser = try db.cachedStatement(sql: "UPDATE workspaceUser SET lastSeenAt = ? WHERE workspaceGid = ? AND gid = ?")
        for update in plan.updatedUsers {
            let user = update.user
            if update.identical {
                try touchUser.execute(arguments: [now, workspaceGid, user.gid])
                continue
            }
            try updateUser.execute(arguments: [
                user.name, user.email, user.isActive, user.isAdmin, user.isGuest, user.isViewOnly, now,
                update.changed, now, update.returned, now, workspaceGid, user.gid,
            ])
        }

        // Departures: kept, with departedAt.
        let departUser = try db.cachedStatement(sql: """
            UPDATE workspaceUser SET departedAt = ?, isActive = 0, changedAt = ? WHERE workspaceGid = ? AND gid = ?
            """)
        for gid in plan.departedUsers {
            try departUser.execute(arguments: [now, now, workspaceGid, gid])
        }

        // Team memberships, each with its member's and its team's names as written above (the copies that order a
        // team's listing and a person's teams, migrations v15 and v17): from the plan rather than a lookup per row,
        // which cost 0.6 s at 148,000 memberships.
        var teamNames = stored.teamNames
        for team in plan.upsertedTeams { teamNames[team.gid] = team.name }
        let insertMembership = try db.cachedStatement(sql: """
            INSERT INTO teamMembership (workspaceGid, teamGid, userGid, isAdmin, isGuest, isLimitedAccess, userName, teamName)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """)
        for membership in plan.memberships {
            try insertMembership.execute(arguments: [
                workspaceGid, membership.teamGid, membership.userGid,
                membership.isAdmin, membership.isGuest, membership.isLimitedAccess, plan.people[membership.userGid]?.name,
                teamNames[membership.teamGid],
            ])
        }

        let history = HistoryWriter(db: db, workspaceGid: workspaceGid, now: now, provenance: provenance, previousSync: previousSync)
        for event in plan.history {
            try history.record(event)
        }
        return plan.counts
    }

    // MARK: Provision change

    func apply(_ change: ProvisionChange) throws {
        let history = HistoryWriter(db: db, workspaceGid: workspaceGid, now: now, provenance: provenance, previousSync: nil)
        let userGid = change.user.gid
        let before = try storedState(of: userGid)
        try applyRows(change, history: history)
        guard let after = try storedState(of: userGid) else { return }
        let person = after.person.state.history(departed: after.person.departed)
        try history.record(.person(gid: userGid, from: before.map { $0.person.state.history(departed: $0.person.departed) }, to: person,
                                   firstSeenAt: after.person.firstSeenAt, lastSeenAt: after.person.lastSeenAt))
        let teamsBefore = MembershipState.byTeam(before?.comparable.teams)
        let teamsAfter = MembershipState.byTeam(after.comparable.teams)
        var names: [String: String] = [:]
        for teamGid in Set(teamsBefore.keys).union(teamsAfter.keys) {
            names[teamGid] = try String.fetchOne(db, sql: "SELECT name FROM team WHERE workspaceGid = ? AND gid = ?", arguments: [workspaceGid, teamGid])
        }
        try history.record(.teams(userGid: userGid, person: person, from: teamsBefore, to: teamsAfter, teamNames: names))
        // changedAt / addedAt follow what the change did to the row, compared as a snapshot would.
        let outcome = ProvisionComparable.outcome(from: before?.comparable, to: after.comparable)
        if outcome.changed {
            try db.execute(
                sql: "UPDATE workspaceUser SET changedAt = ?, addedAt = CASE WHEN ? THEN ? ELSE addedAt END WHERE workspaceGid = ? AND gid = ?",
                arguments: [now, outcome.returned, now, workspaceGid, userGid])
        }
    }

    /// A stored person row and its team memberships.
    private func storedState(of userGid: String) throws -> (person: StoredPerson, comparable: ProvisionComparable)? {
        guard let row = try Row.fetchOne(
            db, sql: """
                SELECT name, email, isActive, isAdmin, isGuest, isViewOnly, departedAt, firstSeenAt, lastSeenAt
                FROM workspaceUser WHERE workspaceGid = ? AND gid = ?
                """,
            arguments: [workspaceGid, userGid]) else { return nil }
        let teams = try Row.fetchAll(
            db, sql: "SELECT teamGid, isAdmin, isGuest, isLimitedAccess FROM teamMembership WHERE workspaceGid = ? AND userGid = ?",
            arguments: [workspaceGid, userGid]
        ).map { MembershipState(teamGid: $0["teamGid"], isAdmin: $0["isAdmin"], isGuest: $0["isGuest"], isLimitedAccess: $0["isLimitedAccess"]) }
        let person = StoredPerson(state: Self.userState(row), departed: row["departedAt"] != nil,
                                  firstSeenAt: row["firstSeenAt"], lastSeenAt: row["lastSeenAt"])
        return (person, ProvisionComparable(state: person.state, departed: person.departed, teams: Set(teams)))
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
            let stored = try String.fetchOne(db, sql: "SELECT name FROM team WHERE workspaceGid = ? AND gid = ?", arguments: [workspaceGid, team.gid])
            try history.record(.team(gid: team.gid, from: stored, to: team.name))
            try upsertTeam(team)
            try db.execute(
                sql: """
                    INSERT INTO teamMembership (workspaceGid, teamGid, userGid, userName, teamName)
                    VALUES (?1, ?2, ?3, \(Self.memberName), \(Self.teamName))
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

    /// The stored name of the member of a team membership being inserted with ?1 = workspace gid and ?3 = user gid:
    /// the copy that orders a team's listing (migration v15; the trigger `workspaceUser_renamed` keeps it equal).
    /// A provision writes one membership at a time; a snapshot takes the names from its plan.
    static let memberName = "(SELECT name FROM workspaceUser WHERE workspaceGid = ?1 AND gid = ?3)"

    /// The stored name of the team of a team membership being inserted with ?1 = workspace gid and ?2 = team gid:
    /// the copy that orders a person's teams (migration v17; the trigger `team_renamed` keeps it equal).
    static let teamName = "(SELECT name FROM team WHERE workspaceGid = ?1 AND gid = ?2)"

    private func insertUser(_ user: SnapshotUser) throws {
        try db.execute(
            sql: """
                INSERT INTO workspaceUser (workspaceGid, gid, name, email, isActive, isAdmin, isGuest, isViewOnly, firstSeenAt, lastSeenAt, departedAt, changedAt, addedAt)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, ?, ?)
                """,
            arguments: [workspaceGid, user.gid, user.name, user.email, user.isActive, user.isAdmin, user.isGuest, user.isViewOnly, now, now, now, now])
    }

    /// The fields of a `workspaceUser` row.
    private static func userState(_ row: Row) -> UserState {
        UserState(name: row["name"], email: row["email"], isActive: row["isActive"], isAdmin: row["isAdmin"], isGuest: row["isGuest"],
                  isViewOnly: row["isViewOnly"])
    }

    private func upsertTeam(_ team: SnapshotTeam) throws {
        try db.cachedStatement(sql: """
            INSERT INTO team (workspaceGid, gid, name) VALUES (?, ?, ?)
            ON CONFLICT (workspaceGid, gid) DO UPDATE SET name = excluded.name
            """).execute(arguments: [workspaceGid, team.gid, team.name])
    }
}

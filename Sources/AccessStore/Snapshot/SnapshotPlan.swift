import AccessProtocol
import Foundation

/// The stored fields of a person that "updated" compares (name, email, the four membership flags).
struct UserState: Equatable {
    var name: String?
    var email: String?
    var isActive: Bool?
    var isAdmin: Bool?
    var isGuest: Bool?
    var isViewOnly: Bool?

    init(name: String?, email: String?, isActive: Bool?, isAdmin: Bool?, isGuest: Bool?, isViewOnly: Bool?) {
        self.name = name
        self.email = email
        self.isActive = isActive
        self.isAdmin = isAdmin
        self.isGuest = isGuest
        self.isViewOnly = isViewOnly
    }

    init(_ user: SnapshotUser) {
        self.init(name: user.name, email: user.email, isActive: user.isActive, isAdmin: user.isAdmin, isGuest: user.isGuest,
                  isViewOnly: user.isViewOnly)
    }

    /// The state history keeps.
    func history(departed: Bool) -> PersonState {
        PersonState(name: name, email: email, isActive: isActive, isAdmin: isAdmin, isGuest: isGuest, isViewOnly: isViewOnly, departed: departed)
    }
}

/// One team membership of a person, as compared between two pictures.
struct MembershipState: Hashable {
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

/// A stored person row as a snapshot or a provision change compares it.
struct StoredPerson: Equatable {
    var state: UserState
    /// The row's `departedAt` is set.
    var departed: Bool
    /// Unix milliseconds.
    var firstSeenAt: Int64
    /// Unix milliseconds.
    var lastSeenAt: Int64
}

/// A stored person as a provision change compares it for `changedAt`: fields, departure, team memberships with
/// their flags (not the times).
struct ProvisionComparable: Equatable {
    var state: UserState
    var departed: Bool
    var teams: Set<MembershipState>

    /// What a provision change did to the row, from the stored person `before` (nil: new) to `after`:
    /// `changed` sets `changedAt`, `returned` also `addedAt`. A new row got both on insert: (false, false).
    static func outcome(from before: ProvisionComparable?, to after: ProvisionComparable) -> (changed: Bool, returned: Bool) {
        guard let before else { return (false, false) }
        let returned = before.departed && !after.departed
        return (returned || before != after, returned)
    }
}

extension WorkspaceSnapshot {
    /// - Throws: ``AccessStoreError/invalidArgument(_:)`` when the workspace, a user or a team gid is empty.
    func check() throws {
        guard !workspace.gid.isEmpty else { throw AccessStoreError.invalidArgument("the workspace gid is empty") }
        guard users.allSatisfy({ !$0.gid.isEmpty }) else { throw AccessStoreError.invalidArgument("a user gid is empty") }
        guard teams.allSatisfy({ !$0.gid.isEmpty }) else { throw AccessStoreError.invalidArgument("a team gid is empty") }
    }
}

extension ProvisionChange {
    /// - Throws: ``AccessStoreError/invalidArgument(_:)`` when the workspace, the user or a team gid is empty.
    func check() throws {
        guard !workspaceGid.isEmpty else { throw AccessStoreError.invalidArgument("the workspace gid is empty") }
        guard !user.gid.isEmpty else { throw AccessStoreError.invalidArgument("the user gid is empty") }
        guard teamsAdded.allSatisfy({ !$0.gid.isEmpty }), teamsRemoved.allSatisfy({ !$0.isEmpty }) else {
            throw AccessStoreError.invalidArgument("a team gid is empty")
        }
    }
}

/// What is stored of a workspace before a snapshot is applied: the input of ``SnapshotPlan``.
struct StoredPicture {
    /// Person rows by gid, departed included.
    var users: [String: StoredPerson] = [:]
    /// Team gid → name.
    var teamNames: [String: String] = [:]
    /// Every stored team membership of the workspace, in the order read.
    var memberships: [SnapshotTeamMembership] = []
}

/// Everything applying a ``WorkspaceSnapshot`` writes, worked out from the snapshot and the ``StoredPicture`` with no
/// database at hand; each store runs it in one write transaction (SQLite's `SnapshotWriter`, PostgreSQL's
/// `PostgresSnapshotWriter`), so both stores count, depart, time and record history identically.
///
/// The writes, in order: upsert the workspace; delete every team membership of the workspace; delete
/// ``deletedTeams``; upsert ``upsertedTeams``; insert ``insertedUsers``; update ``updatedUsers``; depart
/// ``departedUsers``; insert ``memberships``; then record ``history`` in its order.
struct SnapshotPlan {
    /// A present person with a stored row: the row takes the snapshot's fields and `lastSeenAt = now`.
    struct UserUpdate: Equatable {
        var user: SnapshotUser
        /// Counted as added or updated: `changedAt = now`.
        var changed: Bool
        /// Back after having departed: `addedAt = now`, `departedAt` cleared.
        var returned: Bool
        /// Present before, and the row holds exactly what the snapshot says (names and emails byte for byte, not
        /// only canonically equal as Swift compares strings): only `lastSeenAt` moves.
        var identical: Bool = false
    }

    var counts: SnapshotCounts
    /// Stored teams absent from the snapshot, by gid (none when all teams are preserved).
    var deletedTeams: [String]
    /// Teams to insert or rename, in snapshot order.
    var upsertedTeams: [SnapshotTeam]
    /// People without a row: inserted with `firstSeenAt = lastSeenAt = changedAt = addedAt = now`.
    var insertedUsers: [SnapshotUser]
    var updatedUsers: [UserUpdate]
    /// People present before and absent now, by gid: `departedAt = changedAt = now`, `isActive = false`.
    var departedUsers: [String]
    /// The team memberships stored after the apply (the snapshot's and the preserved ones); each one's person is
    /// in ``people``.
    var memberships: [SnapshotTeamMembership]
    /// The snapshot's people by gid (the last occurrence of a gid), as they are stored by the apply.
    var people: [String: SnapshotUser]
    /// History to record, in order (its access changes take ids in this order).
    var history: [HistoryEvent]

    /// Whether two optional strings hold the same bytes (Swift's `==` is canonical equivalence: "é" as one scalar
    /// equals "e" + U+0301, which the store keeps apart).
    static func sameBytes(_ a: String?, _ b: String?) -> Bool {
        switch (a, b) {
        case (nil, nil): true
        case let (a?, b?): a.utf8.elementsEqual(b.utf8)
        default: false
        }
    }

    private struct MembershipKey: Hashable {
        var teamGid: String
        var userGid: String
    }

    /// Plans the apply of `snapshot` over `stored` at `now` (Unix milliseconds).
    init(snapshot: WorkspaceSnapshot, stored: StoredPicture, now: Int64) {
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

        var oldTeamsOfUser: [String: Set<MembershipState>] = [:]
        for membership in stored.memberships {
            oldTeamsOfUser[membership.userGid, default: []].insert(MembershipState(
                teamGid: membership.teamGid, isAdmin: membership.isAdmin, isGuest: membership.isGuest, isLimitedAccess: membership.isLimitedAccess))
            // Memberships that could not be read this time stay as stored, for people still present.
            let teamKept = keepAllTeams || (preservedTeams.contains(membership.teamGid) && teams[membership.teamGid] != nil)
            if teamKept, users[membership.userGid] != nil {
                let key = MembershipKey(teamGid: membership.teamGid, userGid: membership.userGid)
                if memberships.updateValue(membership, forKey: key) == nil {
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

        var history: [HistoryEvent] = []
        // Teams: absent ones deleted, the snapshot's upserted, unless the team listing could not be read.
        let storedTeamGids = stored.teamNames.keys.sorted()
        deletedTeams = keepAllTeams ? [] : storedTeamGids.filter { teams[$0] == nil }
        for gid in deletedTeams {
            history.append(.team(gid: gid, from: stored.teamNames[gid], to: nil))
        }
        upsertedTeams = teamOrder.compactMap { teams[$0] }
        for team in upsertedTeams {
            history.append(.team(gid: team.gid, from: stored.teamNames[team.gid], to: team.name))
        }

        // People present.
        var counts = SnapshotCounts(
            users: userOrder.count, teams: keepAllTeams ? storedTeamGids.count : teamOrder.count, teamMemberships: membershipOrder.count)
        var inserted: [SnapshotUser] = []
        var updated: [UserUpdate] = []
        for gid in userOrder {
            guard let user = users[gid] else { continue }
            let state = UserState(user)
            if let old = stored.users[gid] {
                var changed = false
                if old.departed {
                    counts.added += 1
                    changed = true
                } else if old.state != state || (oldTeamsOfUser[gid] ?? []) != (newTeamsOfUser[gid] ?? []) {
                    counts.updated += 1
                    changed = true
                }
                let identical = !changed && Self.sameBytes(old.state.name, state.name) && Self.sameBytes(old.state.email, state.email)
                updated.append(UserUpdate(user: user, changed: changed, returned: old.departed, identical: identical))
            } else {
                counts.added += 1
                inserted.append(user)
            }
            let old = stored.users[gid]
            history.append(.person(gid: gid, from: old.map { $0.state.history(departed: $0.departed) }, to: state.history(departed: false),
                                   firstSeenAt: old?.firstSeenAt ?? now, lastSeenAt: now))
        }
        insertedUsers = inserted
        updatedUsers = updated
        people = users

        // Departures: kept, with departedAt (lastSeenAt stays the last time they were seen present).
        departedUsers = stored.users.keys.filter { users[$0] == nil && stored.users[$0]?.departed == false }.sorted()
        counts.departed = departedUsers.count
        for gid in departedUsers {
            guard let old = stored.users[gid] else { continue }
            var gone = old.state.history(departed: true)
            gone.isActive = false
            history.append(.person(gid: gid, from: old.state.history(departed: false), to: gone, firstSeenAt: old.firstSeenAt, lastSeenAt: old.lastSeenAt))
        }

        // Team memberships of each person whose set or rights changed.
        for gid in Set(oldTeamsOfUser.keys).union(newTeamsOfUser.keys).sorted() {
            let person = users[gid].map { UserState($0).history(departed: false) } ?? stored.users[gid]?.state.history(departed: true)
            guard let person else { continue }
            let before = MembershipState.byTeam(oldTeamsOfUser[gid])
            let after = MembershipState.byTeam(newTeamsOfUser[gid])
            guard before != after else { continue }
            var names: [String: String] = [:]
            for teamGid in Set(before.keys).union(after.keys) {
                names[teamGid] = teams[teamGid]?.name ?? stored.teamNames[teamGid]
            }
            history.append(.teams(userGid: gid, person: person, from: before, to: after, teamNames: names))
        }
        self.counts = counts
        self.memberships = membershipOrder.compactMap { memberships[$0] }
        self.history = history
    }
}

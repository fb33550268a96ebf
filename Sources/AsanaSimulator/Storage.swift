/// The objects of the simulated Asana, indexed by gid, with the ordered indexes the lists page through (``GidIndex``:
/// a page costs O(log n + page size), not a sort of the whole workspace). The objects change only through the
/// mutating methods here, which keep the indexes in step. Domain rules (who may see or change what) live in
/// `Storage+Access.swift` and `Storage+Writes.swift`.
struct Storage: Sendable {
    private(set) var workspaces: [String: SimulatorSeed.Workspace] = [:]
    private(set) var users: [String: SimulatorSeed.User] = [:]
    /// Lower-cased email → user gid.
    private(set) var userGidByEmail: [String: String] = [:]
    private(set) var workspaceMemberships: [String: SimulatorSeed.WorkspaceMembership] = [:]
    private(set) var teams: [String: SimulatorSeed.Team] = [:]
    private(set) var teamMemberships: [String: SimulatorSeed.TeamMembership] = [:]

    /// Workspace gid → its memberships, active or not.
    private(set) var membershipsByWorkspace: [String: GidIndex] = [:]
    /// Workspace gid → the users holding an active membership there (what `GET /users?workspace=` lists).
    private(set) var activeUsersByWorkspace: [String: GidIndex] = [:]
    /// User gid → their workspace memberships, in any workspace.
    private(set) var membershipsByUser: [String: GidIndex] = [:]
    /// Organization gid → its teams.
    private(set) var teamsByOrganization: [String: GidIndex] = [:]
    /// Team gid → its memberships.
    private(set) var teamMembershipsByTeam: [String: GidIndex] = [:]
    /// User gid → their team memberships, in any team.
    private(set) var teamMembershipsByUser: [String: GidIndex] = [:]

    /// Token → user gid.
    var tokens: [String: String] = [:]
    /// Token order, to return tokens as seeded.
    var tokenOrder: [String] = []
    /// Token → granular scopes, for seeded tokens that have them.
    var tokenScopes: [String: [String]] = [:]
    /// The seed's OAuth apps, as seeded (they do not change).
    var oauthApps: [SimulatorSeed.OAuthApp] = []
    /// The next gid to hand out (above every seeded numeric gid).
    var nextGid: UInt64 = 1
    /// `"GET /users?workspace=1000"` per request, in arrival order.
    var requestLog: [String] = []
    /// API requests (below `/api/1.0`) received since the start or the last `POST /-/sim/stats/reset`.
    var apiRequestCount = 0
    /// Membership writes that reached a write route, in order (``SimulatedWrite``).
    var writeLog: [SimulatedWrite] = []
    /// `http://host:port/api/1.0` once bound.
    var baseURL: String = ""
    var errorSerial: UInt64 = 0

    init(seed: SimulatorSeed) {
        var maxGid: UInt64 = 1000
        func note(_ gid: String) {
            if let value = UInt64(gid), value > maxGid { maxGid = value }
        }
        for w in seed.workspaces {
            workspaces[w.gid] = w
            note(w.gid)
        }
        for u in seed.users {
            insert(user: u)
            note(u.gid)
        }
        for m in seed.workspaceMemberships {
            store(m)
            note(m.gid)
        }
        for t in seed.teams {
            insert(team: t)
            note(t.gid)
        }
        for m in seed.teamMemberships {
            insert(teamMembership: m)
            note(m.gid)
        }
        for t in seed.tokens {
            if tokens[t.token] == nil { tokenOrder.append(t.token) }
            tokens[t.token] = t.user
            tokenScopes[t.token] = t.scopes
        }
        oauthApps = seed.oauthApps
        nextGid = maxGid + 1
    }

    /// The current state in seed form, every array sorted by gid.
    var snapshot: SimulatorSeed {
        func sorted<T>(_ values: Dictionary<String, T>.Values, _ gid: (T) -> String) -> [T] {
            values.sorted { gidLess(gid($0), gid($1)) }
        }
        return SimulatorSeed(
            workspaces: sorted(workspaces.values, \.gid), users: sorted(users.values, \.gid),
            workspaceMemberships: sorted(workspaceMemberships.values, \.gid), teams: sorted(teams.values, \.gid),
            teamMemberships: sorted(teamMemberships.values, \.gid),
            tokens: tokenOrder.compactMap { token in
                tokens[token].map { SimulatorSeed.Token(token: token, user: $0, scopes: tokenScopes[token]) }
            },
            oauthApps: oauthApps)
    }

    /// A new unique gid (digits).
    mutating func allocateGid() -> String {
        defer { nextGid += 1 }
        return String(nextGid)
    }

    // MARK: - Changes (the only way objects change, so the indexes stay in step)

    /// Adds or replaces a user (a later user with the same email takes the email over).
    mutating func insert(user: SimulatorSeed.User) {
        users[user.gid] = user
        if let email = user.email { userGidByEmail[email.lowercased()] = user.gid }
    }

    /// Adds or replaces a team.
    mutating func insert(team: SimulatorSeed.Team) {
        if let old = teams[team.gid] { teamsByOrganization[old.organization]?.remove(old.gid) }
        teams[team.gid] = team
        teamsByOrganization[team.organization, default: GidIndex()].insert(team.gid)
    }

    /// Adds a workspace membership, or replaces the one with its gid (a changed `is_active` or `readdable`).
    mutating func store(_ membership: SimulatorSeed.WorkspaceMembership) {
        let old = workspaceMemberships[membership.gid]
        if let old {
            membershipsByWorkspace[old.workspace]?.remove(old.gid)
            membershipsByUser[old.user]?.remove(old.gid)
        }
        workspaceMemberships[membership.gid] = membership
        membershipsByWorkspace[membership.workspace, default: GidIndex()].insert(membership.gid)
        membershipsByUser[membership.user, default: GidIndex()].insert(membership.gid)
        if let old { refreshActiveUser(old.user, workspace: old.workspace) }
        refreshActiveUser(membership.user, workspace: membership.workspace)
    }

    /// Adds or replaces a team membership.
    mutating func insert(teamMembership membership: SimulatorSeed.TeamMembership) {
        removeTeamMembership(gid: membership.gid)
        teamMemberships[membership.gid] = membership
        teamMembershipsByTeam[membership.team, default: GidIndex()].insert(membership.gid)
        teamMembershipsByUser[membership.user, default: GidIndex()].insert(membership.gid)
    }

    /// Deletes a team membership, if it exists.
    mutating func removeTeamMembership(gid: String) {
        guard let old = teamMemberships.removeValue(forKey: gid) else { return }
        teamMembershipsByTeam[old.team]?.remove(gid)
        teamMembershipsByUser[old.user]?.remove(gid)
    }

    /// Puts `user` in or out of ``activeUsersByWorkspace`` of `workspace`: in while any of their memberships there is active.
    private mutating func refreshActiveUser(_ user: String, workspace: String) {
        let active = (membershipsByUser[user]?.gids ?? []).contains {
            workspaceMemberships[$0].map { $0.workspace == workspace && $0.isActive } ?? false
        }
        if active {
            activeUsersByWorkspace[workspace, default: GidIndex()].insert(user)
        } else {
            activeUsersByWorkspace[workspace]?.remove(user)
        }
    }

    // MARK: - Index reads

    /// The memberships of `user`, in gid order.
    func workspaceMemberships(ofUser user: String) -> [SimulatorSeed.WorkspaceMembership] {
        (membershipsByUser[user]?.gids ?? []).compactMap { workspaceMemberships[$0] }
    }

    /// The team memberships of `user`, in gid order.
    func teamMemberships(ofUser user: String) -> [SimulatorSeed.TeamMembership] {
        (teamMembershipsByUser[user]?.gids ?? []).compactMap { teamMemberships[$0] }
    }
}

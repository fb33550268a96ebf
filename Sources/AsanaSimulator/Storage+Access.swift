/// Lookups and permission checks. Rules (Asana OpenAPI spec; "chosen" where Asana is [UNCONFIRMED]):
///
/// - A user may be named by gid, by email (case-insensitive) or as `me` (Asana OpenAPI parameter `user_path_gid`).
/// - An object named in the **path** that does not exist → 404 `"<param>: Not a recognized ID: <value>"`;
///   named in a **query or body** parameter → 400 with the same message (chosen; the status is [UNCONFIRMED]).
/// - A caller sees a workspace, its users, memberships and teams while they hold an **active** membership in
///   it; otherwise 403 (chosen). Guests are not restricted further (chosen; the simulator has no sharing model).
/// - Workspace `addUser`/`removeUser` need an active **admin** membership → else 403 (Asana OpenAPI operation `removeUserForWorkspace`).
/// - Team `addUser`/`removeUser` need the caller to be a member of the team (Asana OpenAPI `addUserForTeam`, `removeUserForTeam`) or an active
///   admin of its organization (chosen).
extension Storage {
    /// Resolves `me`, an email or a gid to a user; nil when unknown.
    func user(named reference: String, caller: String) -> SimulatorSeed.User? {
        if reference == "me" { return users[caller] }
        if reference.contains("@") {
            return userGidByEmail[reference.lowercased()].flatMap { users[$0] }
        }
        return users[reference]
    }

    /// Resolves a user named in a query or body parameter `parameter`.
    /// - Throws: 400 `"<parameter>: Not a recognized ID: <value>"` when unknown.
    func requireUser(_ reference: String, parameter: String = "user", caller: String) throws(AsanaErrorBody) -> SimulatorSeed.User {
        guard let user = user(named: reference, caller: caller) else { throw .notRecognized(parameter, reference) }
        return user
    }

    /// The active membership of `user` in `workspace` (the lowest gid if several), if any.
    func activeMembership(user: String, workspace: String) -> SimulatorSeed.WorkspaceMembership? {
        workspaceMemberships(ofUser: user).first { $0.workspace == workspace && $0.isActive }
    }

    /// Whether `user` holds an active admin membership in `workspace`.
    func isActiveAdmin(user: String, workspace: String) -> Bool {
        activeMembership(user: user, workspace: workspace)?.isAdmin ?? false
    }

    /// The workspaces `caller` is an active member of, sorted by gid.
    func visibleWorkspaces(caller: String) -> [SimulatorSeed.Workspace] {
        let gids = Set(workspaceMemberships(ofUser: caller).filter(\.isActive).map(\.workspace))
        return gids.compactMap { workspaces[$0] }.sorted { gidLess($0.gid, $1.gid) }
    }

    /// The workspace named in the path, visible to `caller`.
    /// - Throws: 404 when unknown, 403 when `caller` is not an active member.
    func requireVisibleWorkspace(pathGid gid: String, caller: String) throws(AsanaErrorBody) -> SimulatorSeed.Workspace {
        guard let workspace = workspaces[gid] else { throw .notRecognized("workspace", gid, status: .notFound) }
        guard activeMembership(user: caller, workspace: gid) != nil else {
            throw .forbidden("You do not have access to workspace \(gid).")
        }
        return workspace
    }

    /// The workspace named in a query parameter, visible to `caller`.
    /// - Throws: 400 when unknown, 403 when `caller` is not an active member.
    func requireVisibleWorkspace(queryGid gid: String, caller: String) throws(AsanaErrorBody) -> SimulatorSeed.Workspace {
        guard let workspace = workspaces[gid] else { throw .notRecognized("workspace", gid) }
        guard activeMembership(user: caller, workspace: gid) != nil else {
            throw .forbidden("You do not have access to workspace \(gid).")
        }
        return workspace
    }

    /// The workspace named in the path of an `addUser`/`removeUser`, where `caller` is an active admin.
    /// - Throws: 404 when unknown, 403 when `caller` is not an active admin there.
    func requireAdministeredWorkspace(pathGid gid: String, caller: String, action: String) throws(AsanaErrorBody) -> SimulatorSeed.Workspace {
        guard let workspace = workspaces[gid] else { throw .notRecognized("workspace", gid, status: .notFound) }
        guard isActiveAdmin(user: caller, workspace: gid) else {
            throw .forbidden("Only workspace admins can \(action) in workspace \(gid).")
        }
        return workspace
    }

    /// The team named in the path, in an organization `caller` is an active member of.
    /// - Throws: 404 when unknown, 403 when `caller` cannot see its organization.
    func requireVisibleTeam(pathGid gid: String, caller: String) throws(AsanaErrorBody) -> SimulatorSeed.Team {
        guard let team = teams[gid] else { throw .notRecognized("team", gid, status: .notFound) }
        guard activeMembership(user: caller, workspace: team.organization) != nil else {
            throw .forbidden("You do not have access to team \(gid).")
        }
        return team
    }

    /// The team named in the path of a team `addUser`/`removeUser`, which `caller` may manage.
    /// - Throws: 404 when unknown, 403 when `caller` is neither a member of the team nor an organization admin.
    func requireManagedTeam(pathGid gid: String, caller: String) throws(AsanaErrorBody) -> SimulatorSeed.Team {
        let team = try requireVisibleTeam(pathGid: gid, caller: caller)
        let isMember = teamMemberships(ofUser: caller).contains { $0.team == gid }
        guard isMember || isActiveAdmin(user: caller, workspace: team.organization) else {
            throw .forbidden("You must be a member of team \(gid) or an admin of its organization to change its members.")
        }
        return team
    }

    /// Whether `caller` may see `user`: themselves, or someone with any membership (active or not) in a
    /// workspace where `caller` is active (chosen).
    func canSee(user: String, caller: String) -> Bool {
        if user == caller { return true }
        let mine = Set(visibleWorkspaces(caller: caller).map(\.gid))
        return workspaceMemberships(ofUser: user).contains { mine.contains($0.workspace) }
    }

    /// Whether `email`'s domain is one of `workspace`'s `email_domains` (case-insensitive).
    static func isInDomains(_ email: String?, _ workspace: SimulatorSeed.Workspace) -> Bool {
        guard let email, let at = email.lastIndex(of: "@") else { return false }
        let domain = email[email.index(after: at)...].lowercased()
        return workspace.emailDomains.contains { $0.lowercased() == domain }
    }
}

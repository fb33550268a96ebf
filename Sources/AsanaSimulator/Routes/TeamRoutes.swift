import Hummingbird

/// Teams, team memberships and team membership writes (Asana OpenAPI operations `getTeamsForWorkspace`, `getTeam`,
/// `getTeamMembershipsForTeam`, `getTeamMembershipsForUser`, `addUserForTeam`, `removeUserForTeam`).
struct TeamRoutes: Sendable {
    let env: RouteEnvironment

    func register(on api: RouterGroup<SimulatorRequestContext>) {
        let env = self.env
        api.get("workspaces/:workspace/teams") { request, context in try Self.listTeams(env, request, context) }
        api.get("teams/:team") { request, context in try Self.getTeam(env, request, context) }
        api.get("teams/:team/team_memberships") { request, context in try Self.listMemberships(env, request, context) }
        api.get("users/:user/team_memberships") { request, context in try Self.listUserMemberships(env, request, context) }
        api.post("teams/:team/addUser") { request, context in try await Self.addUser(env, request, context) }
        api.post("teams/:team/removeUser") { request, context in try await Self.removeUser(env, request, context) }
    }

    /// `GET /workspaces/{gid}/teams`: the organization's teams, sorted by gid, compact, paginated. A workspace
    /// that is not an organization has no teams → `[]` (chosen).
    static func listTeams(_ env: RouteEnvironment, _ request: Request, _ context: SimulatorRequestContext) throws -> Response {
        let gid = try env.parameter("workspace", context)
        let caller = context.caller
        return try env.list(request) { (storage: Storage, selection: Selection) throws(AsanaErrorBody) in
            let workspace = try storage.requireVisibleWorkspace(pathGid: gid, caller: caller)
            return (storage.teamsByOrganization[workspace.gid]?.gids ?? [], { storage.teams[$0].map { storage.render(team: $0, selection) } })
        }
    }

    /// `GET /teams/{gid}`: the full team record.
    static func getTeam(_ env: RouteEnvironment, _ request: Request, _ context: SimulatorRequestContext) throws -> Response {
        let query = QueryItems(rawQuery: request.uri.query)
        let gid = try env.parameter("team", context)
        let selection = env.selection(query, default: .full)
        let caller = context.caller
        let body = try env.state.read { (storage: Storage) throws(AsanaErrorBody) -> JSONValue in
            storage.render(team: try storage.requireVisibleTeam(pathGid: gid, caller: caller), selection)
        }
        return env.data(body, query)
    }

    /// `GET /teams/{gid}/team_memberships`: the team's memberships sorted by gid; records carry
    /// `user`, `team`, `is_admin`, `is_guest`, `is_limited_access` unless `opt_fields` narrows them.
    /// Any active member of the organization may list (chosen).
    static func listMemberships(_ env: RouteEnvironment, _ request: Request, _ context: SimulatorRequestContext) throws -> Response {
        let gid = try env.parameter("team", context)
        let caller = context.caller
        return try env.list(request) { (storage: Storage, selection: Selection) throws(AsanaErrorBody) in
            let team = try storage.requireVisibleTeam(pathGid: gid, caller: caller)
            return (storage.teamMembershipsByTeam[team.gid]?.gids ?? [], {
                storage.teamMemberships[$0].map { storage.render(teamMembership: $0, selection, caller: caller) }
            })
        }
    }

    /// `GET /users/{user}/team_memberships?workspace={gid}`: the user's team memberships in that
    /// organization (Asana OpenAPI `getTeamMembershipsForUser`: `workspace` is required; missing → 400 `workspace: Missing input`).
    static func listUserMemberships(_ env: RouteEnvironment, _ request: Request, _ context: SimulatorRequestContext) throws -> Response {
        let reference = try env.parameter("user", context)
        let query = QueryItems(rawQuery: request.uri.query)
        let caller = context.caller
        return try env.list(request) { (storage: Storage, selection: Selection) throws(AsanaErrorBody) in
            guard let workspaceGid = query["workspace"] else { throw AsanaErrorBody.badRequest("workspace: Missing input") }
            let workspace = try storage.requireVisibleWorkspace(queryGid: workspaceGid, caller: caller)
            guard let user = storage.user(named: reference, caller: caller) else {
                throw AsanaErrorBody.notFound("user: Not a recognized ID: \(reference)")
            }
            let gids = storage.teamMemberships(ofUser: user.gid).filter { storage.teams[$0.team]?.organization == workspace.gid }.map(\.gid)
            return (gids, { storage.teamMemberships[$0].map { storage.render(teamMembership: $0, selection, caller: caller) } })
        }
    }

    /// `POST /teams/{gid}/addUser` → 200 `{"data": team_membership}` (the answer is a team membership since ~2021:
    /// Asana OpenAPI `addUserForTeam`, https://github.com/AsanaArchive/developer-docs/pull/92). Rules: ``Storage/addUser(_:toTeam:caller:)``.
    static func addUser(_ env: RouteEnvironment, _ request: Request, _ context: SimulatorRequestContext) async throws -> Response {
        let query = QueryItems(rawQuery: request.uri.query)
        let gid = try env.parameter("team", context)
        let write = try await WriteRequest.parse(request, query: query)
        await env.writeGate.pass()
        let caller = context.caller
        let selection = write.optFields.map { Selection.fields($0) } ?? .full
        let body = try env.state.write { (storage: inout Storage) throws(AsanaErrorBody) -> JSONValue in
            let membership = try storage.logWrite(path: "/teams/\(gid)/addUser", user: write.user) { (storage: inout Storage) throws(AsanaErrorBody) in
                try storage.addUser(write.user, toTeam: gid, caller: caller)
            }
            return storage.render(teamMembership: membership, selection, caller: caller)
        }
        return env.data(body, query)
    }

    /// `POST /teams/{gid}/removeUser` → 200 `{"data": {}}`. Rules: ``Storage/removeUser(_:fromTeam:caller:)``.
    static func removeUser(_ env: RouteEnvironment, _ request: Request, _ context: SimulatorRequestContext) async throws -> Response {
        let query = QueryItems(rawQuery: request.uri.query)
        let gid = try env.parameter("team", context)
        let write = try await WriteRequest.parse(request, query: query)
        await env.writeGate.pass()
        let caller = context.caller
        try env.state.write { (storage: inout Storage) throws(AsanaErrorBody) in
            try storage.logWrite(path: "/teams/\(gid)/removeUser", user: write.user) { (storage: inout Storage) throws(AsanaErrorBody) in
                try storage.removeUser(write.user, fromTeam: gid, caller: caller)
            }
        }
        return env.data(.object([]), query)
    }
}

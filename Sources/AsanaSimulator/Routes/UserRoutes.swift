import Hummingbird

/// `GET /users` and `GET /users/{user}` (asana-api.md §6.1).
struct UserRoutes: Sendable {
    let env: RouteEnvironment

    func register(on api: RouterGroup<SimulatorRequestContext>) {
        let env = self.env
        api.get("users") { request, context in try Self.listUsers(env, request, context) }
        api.get("users/:user") { request, context in try Self.getUser(env, request, context) }
    }

    /// `GET /users?workspace=&team=&limit=&offset=&opt_fields=`: users holding an **active** membership in the
    /// workspace, sorted by gid (asana-api.md §6.1 "sorted by user ID"); removed people drop out (chosen,
    /// asana-api.md §9 [UNCONFIRMED]). Without `workspace`: the active members of every workspace the caller is
    /// active in (chosen: allowed, paginated or not). `team` narrows to that team's members. Compact records.
    static func listUsers(_ env: RouteEnvironment, _ request: Request, _ context: SimulatorRequestContext) throws -> Response {
        let query = QueryItems(rawQuery: request.uri.query)
        let caller = context.caller
        return try env.list(request, { (storage: Storage, selection: Selection) throws(AsanaErrorBody) in
            let workspaceGids: Set<String>
            if let workspace = query["workspace"] {
                workspaceGids = [try storage.requireVisibleWorkspace(queryGid: workspace, caller: caller).gid]
            } else {
                workspaceGids = Set(storage.visibleWorkspaces(caller: caller).map(\.gid))
            }
            var members = Set(
                storage.workspaceMemberships.values.filter { $0.isActive && workspaceGids.contains($0.workspace) }.map(\.user))
            if let teamGid = query["team"] {
                guard let team = storage.teams[teamGid] else { throw .notRecognized("team", teamGid) }
                guard storage.activeMembership(user: caller, workspace: team.organization) != nil else {
                    throw .forbidden("You do not have access to team \(teamGid).")
                }
                members.formIntersection(storage.teamMemberships.values.filter { $0.team == teamGid }.map(\.user))
            }
            let users = members.compactMap { storage.users[$0] }
            return (users, { storage.render(user: $0, selection, caller: caller) })
        }, gid: \.gid)
    }

    /// `GET /users/{user}` with `me`, an email or a gid: the full record (UserResponse, asana-api.md §5).
    /// Unknown, or not sharing a workspace with the caller → 404 `user: Not a recognized ID: …` (chosen).
    static func getUser(_ env: RouteEnvironment, _ request: Request, _ context: SimulatorRequestContext) throws -> Response {
        let query = QueryItems(rawQuery: request.uri.query)
        let reference = try env.parameter("user", context)
        let selection = env.selection(query, default: .full)
        let caller = context.caller
        let body = try env.state.read { (storage: Storage) throws(AsanaErrorBody) -> JSONValue in
            guard let user = storage.user(named: reference, caller: caller), storage.canSee(user: user.gid, caller: caller)
            else { throw .notRecognized("user", reference, status: .notFound) }
            return storage.render(user: user, selection, caller: caller)
        }
        return env.data(body, query)
    }
}

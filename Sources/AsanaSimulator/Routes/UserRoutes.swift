import Hummingbird

/// `GET /users`, `GET /users/{user}`, and the capped lists `GET /workspaces/{gid}/users`, `GET /teams/{gid}/users`
/// (Asana OpenAPI operations `getUsers`, `getUser`, `getUsersForWorkspace`, `getUsersForTeam`).
struct UserRoutes: Sendable {
    let env: RouteEnvironment

    func register(on api: RouterGroup<SimulatorRequestContext>) {
        let env = self.env
        api.get("users") { request, context in try Self.listUsers(env, request, context) }
        api.get("users/:user") { request, context in try Self.getUser(env, request, context) }
        api.get("workspaces/:workspace/users") { request, context in try Self.listWorkspaceUsers(env, request, context) }
        api.get("teams/:team/users") { request, context in try Self.listTeamUsers(env, request, context) }
    }

    /// The most users `GET /workspaces/{gid}/users` and `GET /teams/{gid}/users` return ("limited to 2000", Asana OpenAPI
    /// operations `getUsersForWorkspace`, `getUsersForTeam`); the rest are silently left out.
    static let alphabeticalListCap = 2000

    /// `GET /workspaces/{gid}/users`: compact users holding an **active** membership in the workspace, sorted by name
    /// (case-insensitive, then gid), silently truncated to the first 2,000 (Asana OpenAPI `getUsersForWorkspace`). Not paginated:
    /// no `next_page`; `offset` is ignored (chosen); `limit` → 400 (chosen: the OAS lists no `limit` here).
    /// The caller must be an active member (else 403), unknown workspace → 404.
    static func listWorkspaceUsers(_ env: RouteEnvironment, _ request: Request, _ context: SimulatorRequestContext) throws -> Response {
        let query = QueryItems(rawQuery: request.uri.query)
        let gid = try env.parameter("workspace", context)
        let caller = context.caller
        let selection = env.selection(query, default: .compact)
        try refuseLimit(query, path: "/workspaces/\(gid)/users", alternative: "GET /users?workspace=\(gid)&limit=100")
        let body = try env.state.read { (storage: Storage) throws(AsanaErrorBody) -> JSONValue in
            let workspace = try storage.requireVisibleWorkspace(pathGid: gid, caller: caller)
            let members = storage.activeUsersByWorkspace[workspace.gid]?.gids ?? []
            return .array(alphabetical(members.compactMap { storage.users[$0] }).map { storage.render(user: $0, selection, caller: caller) })
        }
        return env.data(body, query)
    }

    /// `GET /teams/{gid}/users`: the team's members (guests and limited-access members included), compact, sorted by
    /// name, silently truncated to the first 2,000 (Asana OpenAPI `getUsersForTeam`); `limit` → 400, `offset` ignored (chosen).
    /// Any active member of the organization may list (chosen, as for team memberships).
    static func listTeamUsers(_ env: RouteEnvironment, _ request: Request, _ context: SimulatorRequestContext) throws -> Response {
        let query = QueryItems(rawQuery: request.uri.query)
        let gid = try env.parameter("team", context)
        let caller = context.caller
        let selection = env.selection(query, default: .compact)
        try refuseLimit(query, path: "/teams/\(gid)/users", alternative: "GET /users?workspace=<organization>&team=\(gid)&limit=100")
        let body = try env.state.read { (storage: Storage) throws(AsanaErrorBody) -> JSONValue in
            let team = try storage.requireVisibleTeam(pathGid: gid, caller: caller)
            let members = Set((storage.teamMembershipsByTeam[team.gid]?.gids ?? []).compactMap { storage.teamMemberships[$0]?.user })
            return .array(alphabetical(members.compactMap { storage.users[$0] }).map { storage.render(user: $0, selection, caller: caller) })
        }
        return env.data(body, query)
    }

    /// The first ``alphabeticalListCap`` users by name (case-insensitive), ties by gid.
    static func alphabetical(_ users: [SimulatorSeed.User]) -> ArraySlice<SimulatorSeed.User> {
        users.sorted { a, b in
            let (x, y) = (a.name.lowercased(), b.name.lowercased())
            return x != y ? x < y : gidLess(a.gid, b.gid)
        }.prefix(alphabeticalListCap)
    }

    /// These lists take no `limit` → 400 `limit: …` naming the paginated alternative (message chosen).
    static func refuseLimit(_ query: QueryItems, path: String, alternative: String) throws(AsanaErrorBody) {
        guard query["limit"] != nil else { return }
        throw .badRequest("limit: \(path) is not paginated and returns at most 2000 users; use \(alternative)")
    }

    /// `GET /users?workspace=&team=&limit=&offset=&opt_fields=`: users holding an **active** membership in the
    /// workspace, sorted by gid (Asana OpenAPI `getUsers`: "sorted by user ID"); removed people drop out (chosen,
    /// not documented by Asana). Without `workspace`: the active members of every workspace the caller is
    /// active in (chosen: allowed, paginated or not). `team` narrows to that team's members. Compact records.
    static func listUsers(_ env: RouteEnvironment, _ request: Request, _ context: SimulatorRequestContext) throws -> Response {
        let query = QueryItems(rawQuery: request.uri.query)
        let caller = context.caller
        return try env.list(request) { (storage: Storage, selection: Selection) throws(AsanaErrorBody) in
            let workspaceGids: [String]
            if let workspace = query["workspace"] {
                workspaceGids = [try storage.requireVisibleWorkspace(queryGid: workspace, caller: caller).gid]
            } else {
                workspaceGids = storage.visibleWorkspaces(caller: caller).map(\.gid)
            }
            func isActiveMember(_ user: String) -> Bool {
                workspaceGids.contains { storage.activeUsersByWorkspace[$0]?.contains(user) ?? false }
            }
            let gids: [String]
            if let teamGid = query["team"] {
                guard let team = storage.teams[teamGid] else { throw .notRecognized("team", teamGid) }
                guard storage.activeMembership(user: caller, workspace: team.organization) != nil else {
                    throw .forbidden("You do not have access to team \(teamGid).")
                }
                let members = (storage.teamMembershipsByTeam[teamGid]?.gids ?? []).compactMap { storage.teamMemberships[$0]?.user }
                gids = GidIndex(members.filter(isActiveMember)).gids
            } else if workspaceGids.count == 1 {
                gids = storage.activeUsersByWorkspace[workspaceGids[0]]?.gids ?? []
            } else {
                gids = GidIndex(workspaceGids.flatMap { storage.activeUsersByWorkspace[$0]?.gids ?? [] }).gids
            }
            return (gids, { storage.users[$0].map { storage.render(user: $0, selection, caller: caller) } })
        }
    }

    /// `GET /users/{user}` with `me`, an email or a gid: the full record (UserResponse, Asana OpenAPI operation `getUser`).
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

import Hummingbird

/// Workspaces, workspace memberships and workspace membership writes (Asana OpenAPI operations `getWorkspaces`,
/// `getWorkspace`, `getWorkspaceMembershipsForWorkspace`, `addUserForWorkspace`, `removeUserForWorkspace`).
struct WorkspaceRoutes: Sendable {
    let env: RouteEnvironment

    func register(on api: RouterGroup<SimulatorRequestContext>) {
        let env = self.env
        api.get("workspaces") { request, context in try Self.listWorkspaces(env, request, context) }
        api.get("workspaces/:workspace") { request, context in try Self.getWorkspace(env, request, context) }
        api.get("workspaces/:workspace/workspace_memberships") { request, context in
            try Self.listMemberships(env, request, context)
        }
        api.post("workspaces/:workspace/addUser") { request, context in try await Self.addUser(env, request, context) }
        api.post("workspaces/:workspace/removeUser") { request, context in try await Self.removeUser(env, request, context) }
    }

    /// `GET /workspaces`: the workspaces the caller is an active member of, compact, paginated.
    static func listWorkspaces(_ env: RouteEnvironment, _ request: Request, _ context: SimulatorRequestContext) throws -> Response {
        let caller = context.caller
        return try env.list(request) { (storage: Storage, selection: Selection) throws(AsanaErrorBody) in
            (storage.visibleWorkspaces(caller: caller).map(\.gid), { storage.workspaces[$0].map { storage.render(workspace: $0, selection) } })
        }
    }

    /// `GET /workspaces/{gid}`: the full record (`email_domains`, `is_organization`).
    static func getWorkspace(_ env: RouteEnvironment, _ request: Request, _ context: SimulatorRequestContext) throws -> Response {
        let query = QueryItems(rawQuery: request.uri.query)
        let gid = try env.parameter("workspace", context)
        let selection = env.selection(query, default: .full)
        let caller = context.caller
        let body = try env.state.read { (storage: Storage) throws(AsanaErrorBody) -> JSONValue in
            storage.render(workspace: try storage.requireVisibleWorkspace(pathGid: gid, caller: caller), selection)
        }
        return env.data(body, query)
    }

    /// `GET /workspaces/{gid}/workspace_memberships[?user=]`: every membership of the workspace, **inactive ones
    /// included** (a re-added person shows twice, https://forum.asana.com/t/new-api-resource-workspace-memberships/57272), sorted by membership gid, compact unless
    /// `opt_fields`. `user` (gid, email or `me`) narrows to one person; an unknown user → 400 (chosen).
    static func listMemberships(_ env: RouteEnvironment, _ request: Request, _ context: SimulatorRequestContext) throws -> Response {
        let query = QueryItems(rawQuery: request.uri.query)
        let gid = try env.parameter("workspace", context)
        let caller = context.caller
        return try env.list(request) { (storage: Storage, selection: Selection) throws(AsanaErrorBody) in
            let workspace = try storage.requireVisibleWorkspace(pathGid: gid, caller: caller)
            let gids: [String]
            if let reference = query["user"] {
                let user = try storage.requireUser(reference, caller: caller)
                gids = storage.workspaceMemberships(ofUser: user.gid).filter { $0.workspace == workspace.gid }.map(\.gid)
            } else {
                gids = storage.membershipsByWorkspace[workspace.gid]?.gids ?? []
            }
            return (gids, { storage.workspaceMemberships[$0].map { storage.render(membership: $0, selection, caller: caller) } })
        }
    }

    /// `POST /workspaces/{gid}/addUser` → 200 `{"data": user}` (UserBaseResponse: gid, resource_type, name,
    /// email, photo; or `opt_fields`). Rules: ``Storage/addUser(_:toWorkspace:caller:)``.
    static func addUser(_ env: RouteEnvironment, _ request: Request, _ context: SimulatorRequestContext) async throws -> Response {
        let query = QueryItems(rawQuery: request.uri.query)
        let gid = try env.parameter("workspace", context)
        let write = try await WriteRequest.parse(request, query: query)
        await env.writeGate.pass()
        let caller = context.caller
        let selection = write.optFields.map { Selection.fields($0) } ?? .full
        let body = try env.state.write { (storage: inout Storage) throws(AsanaErrorBody) -> JSONValue in
            let user = try storage.logWrite(path: "/workspaces/\(gid)/addUser", user: write.user) { (storage: inout Storage) throws(AsanaErrorBody) in
                try storage.addUser(write.user, toWorkspace: gid, caller: caller)
            }
            return storage.render(user: user, selection, caller: caller, withWorkspaces: false)
        }
        return env.data(body, query)
    }

    /// `POST /workspaces/{gid}/removeUser` → 200 `{"data": {}}`. Rules: ``Storage/removeUser(_:fromWorkspace:caller:)``.
    static func removeUser(_ env: RouteEnvironment, _ request: Request, _ context: SimulatorRequestContext) async throws -> Response {
        let query = QueryItems(rawQuery: request.uri.query)
        let gid = try env.parameter("workspace", context)
        let write = try await WriteRequest.parse(request, query: query)
        await env.writeGate.pass()
        let caller = context.caller
        try env.state.write { (storage: inout Storage) throws(AsanaErrorBody) in
            try storage.logWrite(path: "/workspaces/\(gid)/removeUser", user: write.user) { (storage: inout Storage) throws(AsanaErrorBody) in
                try storage.removeUser(write.user, fromWorkspace: gid, caller: caller)
            }
        }
        return env.data(.object([]), query)
    }
}

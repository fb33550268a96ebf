/// The Asana endpoints the connector uses (operations of the Asana OpenAPI spec). Every list is read in full, following
/// `next_page`; `limit` is ``AsanaClientConfiguration/effectivePageSize`` (100 by default).
extension AsanaClient {
    /// The user the token belongs to: `GET /users/me`.
    ///
    /// - Throws: ``AsanaAPIError`` (``AsanaAPIError/unauthorized(message:)`` for a bad token).
    public func me() async throws -> AsanaUser {
        try await getObject(AsanaUser.self, path: "/users/me")
    }

    /// One user by gid or email: `GET /users/{gid|email}?opt_fields=name,email`; `nil` when Asana
    /// answers 404 (no such user visible to the token, e.g. an email never invited).
    ///
    /// - Throws: ``AsanaAPIError`` other than 404; ``AsanaAPIError/badRequest(message:)`` for an empty id (nothing sent).
    public func user(_ gidOrEmail: String) async throws -> AsanaUser? {
        let id = try pathID(gidOrEmail, "user")
        do {
            return try await getObject(AsanaUser.self, path: "/users/\(id)", query: [("opt_fields", "name,email")])
        } catch AsanaAPIError.notFound {
            return nil
        }
    }

    /// One workspace: `GET /workspaces/{gid}?opt_fields=name,is_organization,email_domains`.
    ///
    /// - Throws: ``AsanaAPIError/badRequest(message:)`` for an empty gid (nothing sent); otherwise as ``me()``.
    public func workspace(gid: String) async throws -> AsanaWorkspace {
        let id = try pathID(gid, "workspace gid")
        return try await getObject(
            AsanaWorkspace.self, path: "/workspaces/\(id)", query: [("opt_fields", Self.workspaceFields)])
    }

    /// Every workspace visible to the token: `GET /workspaces?limit=100&opt_fields=name,is_organization,email_domains`.
    public func workspaces() async throws -> [AsanaWorkspace] {
        try await getList(
            AsanaWorkspace.self, path: "/workspaces",
            query: [("limit", limit), ("opt_fields", Self.workspaceFields)])
    }

    /// Users of a workspace: `GET /users?workspace={gid}&limit=100&opt_fields=name,email`, sorted by gid.
    ///
    /// Presence here does not mean access: removed people may still be listed (https://github.com/rbright/asana/issues/12);
    /// use ``workspaceMemberships(workspace:)`` for the flags.
    public func users(workspace: String) async throws -> [AsanaUser] {
        _ = try pathID(workspace, "workspace gid")
        return try await getList(
            AsanaUser.self, path: "/users",
            query: [("workspace", workspace), ("limit", limit), ("opt_fields", "name,email")])
    }

    /// All memberships of a workspace, inactive ones included:
    /// `GET /workspaces/{gid}/workspace_memberships?limit=100&opt_fields=user,user.name,user.email,is_active,is_admin,is_guest,is_view_only`.
    public func workspaceMemberships(workspace: String) async throws -> [AsanaWorkspaceMembership] {
        let id = try pathID(workspace, "workspace gid")
        return try await getList(
            AsanaWorkspaceMembership.self, path: "/workspaces/\(id)/workspace_memberships",
            query: [("limit", limit), ("opt_fields", Self.workspaceMembershipFields)])
    }

    /// The memberships of one person in a workspace (several when they were removed and re-added):
    /// the same endpoint as ``workspaceMemberships(workspace:)`` with `&user=<gid|email|me>`.
    ///
    /// - Returns: an empty array when the person never was a member.
    public func workspaceMembership(workspace: String, user: String) async throws -> [AsanaWorkspaceMembership] {
        let id = try pathID(workspace, "workspace gid")
        return try await getList(
            AsanaWorkspaceMembership.self, path: "/workspaces/\(id)/workspace_memberships",
            query: [
                ("limit", limit), ("opt_fields", Self.workspaceMembershipFields), ("user", try userReference(user)),
            ])
    }

    /// Teams of an organization visible to the token: `GET /workspaces/{gid}/teams?limit=100&opt_fields=name`.
    public func teams(workspace: String) async throws -> [AsanaTeam] {
        let id = try pathID(workspace, "workspace gid")
        return try await getList(
            AsanaTeam.self, path: "/workspaces/\(id)/teams", query: [("limit", limit), ("opt_fields", "name")])
    }

    /// Members of a team:
    /// `GET /teams/{gid}/team_memberships?limit=100&opt_fields=user,user.name,user.email,team,team.name,is_admin,is_guest,is_limited_access`.
    public func teamMemberships(team: String) async throws -> [AsanaTeamMembership] {
        let id = try pathID(team, "team gid")
        return try await getList(
            AsanaTeamMembership.self, path: "/teams/\(id)/team_memberships",
            query: [("limit", limit), ("opt_fields", Self.teamMembershipFields)])
    }

    /// One person's team memberships in an organization:
    /// `GET /users/{gid|email}/team_memberships?workspace={gid}&limit=100&opt_fields=…` (Asana OpenAPI operation `getTeamMembershipsForUser`: `workspace` is required).
    public func teamMemberships(user: String, workspace: String) async throws -> [AsanaTeamMembership] {
        let id = try pathID(user, "user")
        _ = try pathID(workspace, "workspace gid")
        return try await getList(
            AsanaTeamMembership.self, path: "/users/\(id)/team_memberships",
            query: [("workspace", workspace), ("limit", limit), ("opt_fields", Self.teamMembershipFields)])
    }

    /// Adds (or invites, for an unknown email) a person to a workspace:
    /// `POST /workspaces/{gid}/addUser` with `{"data":{"user":"<gid|email|me>"}}` (Asana OpenAPI operation `addUserForWorkspace`).
    ///
    /// Retried only after a 429; a 5xx or transport failure is thrown at once because Asana may have
    /// applied it (re-read the membership to find out).
    /// - Returns: the user record Asana answers with.
    public func addUser(_ user: String, toWorkspace workspace: String) async throws -> AsanaUser {
        let id = try pathID(workspace, "workspace gid")
        let (relative, response) = try await postUser(user, path: "/workspaces/\(id)/addUser")
        return try decode(AsanaEnvelope<AsanaUser>.self, from: response, relative: relative).data
    }

    /// Removes (deprovisions) a person from a workspace: `POST /workspaces/{gid}/removeUser`.
    /// Needs a workspace admin's token (Asana OpenAPI operation `removeUserForWorkspace`). Retries as ``addUser(_:toWorkspace:)``.
    public func removeUser(_ user: String, fromWorkspace workspace: String) async throws {
        let id = try pathID(workspace, "workspace gid")
        _ = try await postUser(user, path: "/workspaces/\(id)/removeUser")
    }

    /// Adds an existing organization member to a team: `POST /teams/{gid}/addUser`.
    ///
    /// - Returns: the team membership (Asana's current answer: Asana OpenAPI operation `addUserForTeam`; https://github.com/AsanaArchive/developer-docs/pull/92).
    public func addUser(_ user: String, toTeam team: String) async throws -> AsanaTeamMembership {
        let id = try pathID(team, "team gid")
        let (relative, response) = try await postUser(user, path: "/teams/\(id)/addUser")
        return try decode(AsanaEnvelope<AsanaTeamMembership>.self, from: response, relative: relative).data
    }

    /// Removes a person from a team: `POST /teams/{gid}/removeUser`.
    public func removeUser(_ user: String, fromTeam team: String) async throws {
        let id = try pathID(team, "team gid")
        _ = try await postUser(user, path: "/teams/\(id)/removeUser")
    }

    /// A list the connection test reads one page of, to learn whether the token may read it.
    public enum ReadProbe: Sendable {
        /// `GET /users?workspace={gid}`
        case users(workspace: String)
        /// `GET /workspaces/{gid}/workspace_memberships`
        case workspaceMemberships(workspace: String)
        /// `GET /workspaces/{gid}/teams`
        case teams(workspace: String)
        /// `GET /teams/{gid}/team_memberships`
        case teamMemberships(team: String)
    }

    /// Reads the first page (`limit=1`) of a list and returns the gids on it; nothing is written and
    /// no further page is fetched. Used to check a credential without reading a whole workspace.
    ///
    /// - Throws: ``AsanaAPIError`` as the full listing would (``AsanaAPIError/forbidden(message:)`` when the token may not read it).
    public func firstPage(_ probe: ReadProbe) async throws -> [String] {
        let path: String
        var query: [(String, String)] = [("limit", "1")]
        switch probe {
        case .users(let workspace):
            _ = try pathID(workspace, "workspace gid")
            path = "/users"
            query.insert(("workspace", workspace), at: 0)
        case .workspaceMemberships(let workspace):
            path = "/workspaces/\(try pathID(workspace, "workspace gid"))/workspace_memberships"
        case .teams(let workspace):
            path = "/workspaces/\(try pathID(workspace, "workspace gid"))/teams"
        case .teamMemberships(let team):
            path = "/teams/\(try pathID(team, "team gid"))/team_memberships"
        }
        let (relative, response) = try await send(.get, path: path, query: query)
        return try decode(AsanaPage<GidOnly>.self, from: response, relative: relative).data.map(\.gid)
    }

    /// An object of which only the gid is read.
    struct GidOnly: Decodable { let gid: String }

    // MARK: - Field lists

    static let workspaceFields = "name,is_organization,email_domains"
    static let workspaceMembershipFields = "user,user.name,user.email,is_active,is_admin,is_guest,is_view_only"
    static let teamMembershipFields = "user,user.name,user.email,team,team.name,is_admin,is_guest,is_limited_access"

    /// The `limit` query value.
    private var limit: String { String(configuration.effectivePageSize) }
}

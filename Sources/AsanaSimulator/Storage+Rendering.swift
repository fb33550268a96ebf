/// Which fields of a record to send: compact (lists), full (single-object GETs and write answers) or the
/// request's `opt_fields` (compact vs full: Asana/developer-docs `_input-output-options.html.md`).
enum Selection: Sendable {
    case compact
    case full
    case fields(OptFields)

    /// The selection for a nested object: compact under compact/full parents; under `opt_fields`, the nested
    /// paths (`user.email`), or nil when the field was not asked for.
    func related(_ field: String) -> Selection? {
        switch self {
        case .compact, .full: return .compact
        case .fields(let fields): return fields.related(field, compact: ["resource_type", "name"]).map { .fields($0) }
        }
    }

    /// Whether to include `field`, given the resource's compact and full field lists.
    func includes(_ field: String, compact: [String], full: [String]) -> Bool {
        switch self {
        case .compact: return compact.contains(field)
        case .full: return full.contains(field)
        case .fields(let fields):
            return fields.contains(field) || fields.paths.contains { $0.hasPrefix(field + ".") }
        }
    }
}

/// JSON records as Asana shapes them (Asana OpenAPI schemas). `gid` always comes first; every record can carry
/// `resource_type`.
extension Storage {
    /// User: compact `gid, resource_type, name`; full adds `email`, `photo` (always `null` here) and `workspaces`
    /// (compact; only workspaces shared with the caller, Asana OpenAPI `UserResponse`). `withWorkspaces: false` gives Asana's
    /// UserBaseResponse (the `addUser` answer, Asana OpenAPI `addUserForWorkspace`).
    func render(user: SimulatorSeed.User, _ selection: Selection, caller: String, withWorkspaces: Bool = true) -> JSONValue {
        let compact = ["resource_type", "name"]
        let full = compact + ["email", "photo"] + (withWorkspaces ? ["workspaces"] : [])
        var pairs: [(String, JSONValue)] = [("gid", .string(user.gid))]
        for field in ["email", "name", "photo", "resource_type", "workspaces"]
        where selection.includes(field, compact: compact, full: full) {
            switch field {
            case "resource_type": pairs.append((field, .string("user")))
            case "name": pairs.append((field, .string(user.name)))
            case "email": pairs.append((field, user.email.map(JSONValue.string) ?? .null))
            case "photo": pairs.append((field, .null))
            case "workspaces":
                guard let nested = selection.related("workspaces") else { continue }
                let mine = Set(visibleWorkspaces(caller: caller).map(\.gid))
                let theirs = workspaceMemberships(ofUser: user.gid)
                    .filter { $0.isActive && mine.contains($0.workspace) }
                    .compactMap { workspaces[$0.workspace] }
                    .sorted { gidLess($0.gid, $1.gid) }
                pairs.append((field, .array(theirs.map { render(workspace: $0, nested) })))
            default: break
            }
        }
        return .object(pairs)
    }

    /// Workspace: compact `gid, resource_type, name`; full adds `email_domains`, `is_organization`.
    func render(workspace: SimulatorSeed.Workspace, _ selection: Selection) -> JSONValue {
        let compact = ["resource_type", "name"]
        let full = compact + ["email_domains", "is_organization"]
        var pairs: [(String, JSONValue)] = [("gid", .string(workspace.gid))]
        for field in ["email_domains", "is_organization", "name", "resource_type"]
        where selection.includes(field, compact: compact, full: full) {
            switch field {
            case "resource_type": pairs.append((field, .string("workspace")))
            case "name": pairs.append((field, .string(workspace.name)))
            case "email_domains": pairs.append((field, .array(workspace.emailDomains.map(JSONValue.string))))
            case "is_organization": pairs.append((field, .bool(workspace.isOrganization)))
            default: break
            }
        }
        return .object(pairs)
    }

    /// Workspace membership: compact `gid, resource_type, user, workspace`; full adds `is_active, is_admin,
    /// is_guest, is_view_only` and `user_task_list`, `vacation_dates` (both `null` here).
    func render(membership: SimulatorSeed.WorkspaceMembership, _ selection: Selection, caller: String) -> JSONValue {
        let compact = ["resource_type", "user", "workspace"]
        let full = compact + ["is_active", "is_admin", "is_guest", "is_view_only", "user_task_list", "vacation_dates"]
        var pairs: [(String, JSONValue)] = [("gid", .string(membership.gid))]
        let fields = ["is_active", "is_admin", "is_guest", "is_view_only", "resource_type", "user", "user_task_list",
                      "vacation_dates", "workspace"]
        for field in fields where selection.includes(field, compact: compact, full: full) {
            switch field {
            case "resource_type": pairs.append((field, .string("workspace_membership")))
            case "is_active": pairs.append((field, .bool(membership.isActive)))
            case "is_admin": pairs.append((field, .bool(membership.isAdmin)))
            case "is_guest": pairs.append((field, .bool(membership.isGuest)))
            case "is_view_only": pairs.append((field, .bool(membership.isViewOnly)))
            case "user_task_list", "vacation_dates": pairs.append((field, .null))
            case "user":
                guard let nested = selection.related("user") else { continue }
                pairs.append((field, users[membership.user].map { render(user: $0, nested, caller: caller) } ?? .null))
            case "workspace":
                guard let nested = selection.related("workspace") else { continue }
                pairs.append((field, workspaces[membership.workspace].map { render(workspace: $0, nested) } ?? .null))
            default: break
            }
        }
        return .object(pairs)
    }

    /// Team: compact `gid, resource_type, name`; full adds `description` (empty), `organization` (compact),
    /// `permalink_url`, `visibility` (`"request_to_join"`, chosen).
    func render(team: SimulatorSeed.Team, _ selection: Selection) -> JSONValue {
        let compact = ["resource_type", "name"]
        let full = compact + ["description", "organization", "permalink_url", "visibility"]
        var pairs: [(String, JSONValue)] = [("gid", .string(team.gid))]
        for field in ["description", "name", "organization", "permalink_url", "resource_type", "visibility"]
        where selection.includes(field, compact: compact, full: full) {
            switch field {
            case "resource_type": pairs.append((field, .string("team")))
            case "name": pairs.append((field, .string(team.name)))
            case "description": pairs.append((field, .string("")))
            case "permalink_url": pairs.append((field, .string("https://app.asana.com/0/team/\(team.gid)")))
            case "visibility": pairs.append((field, .string("request_to_join")))
            case "organization":
                guard let nested = selection.related("organization") else { continue }
                pairs.append((field, workspaces[team.organization].map { render(workspace: $0, nested) } ?? .null))
            default: break
            }
        }
        return .object(pairs)
    }

    /// Team membership: compact and full are the same shape (Asana OpenAPI `TeamMembershipResponse`): `gid, resource_type, user, team,
    /// is_guest, is_limited_access, is_admin`.
    func render(teamMembership: SimulatorSeed.TeamMembership, _ selection: Selection, caller: String) -> JSONValue {
        let all = ["resource_type", "user", "team", "is_guest", "is_limited_access", "is_admin"]
        var pairs: [(String, JSONValue)] = [("gid", .string(teamMembership.gid))]
        for field in ["is_admin", "is_guest", "is_limited_access", "resource_type", "team", "user"]
        where selection.includes(field, compact: all, full: all) {
            switch field {
            case "resource_type": pairs.append((field, .string("team_membership")))
            case "is_admin": pairs.append((field, .bool(teamMembership.isAdmin)))
            case "is_guest": pairs.append((field, .bool(teamMembership.isGuest)))
            case "is_limited_access": pairs.append((field, .bool(teamMembership.isLimitedAccess)))
            case "user":
                guard let nested = selection.related("user") else { continue }
                pairs.append((field, users[teamMembership.user].map { render(user: $0, nested, caller: caller) } ?? .null))
            case "team":
                guard let nested = selection.related("team") else { continue }
                pairs.append((field, teams[teamMembership.team].map { render(team: $0, nested) } ?? .null))
            default: break
            }
        }
        return .object(pairs)
    }
}

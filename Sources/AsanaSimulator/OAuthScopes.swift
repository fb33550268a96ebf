/// Asana's OAuth scope names the simulator knows (https://developers.asana.com/docs/oauth-scopes; Asana OpenAPI `securitySchemes.oauth2`).
///
/// Two app modes exclude each other: full permissions (`default`, also what an absent `scope` means) and granular
/// scopes (`<resource>:<action>`). `openid`, `email` and `profile` (OpenID Connect) are allowed in both.
enum OAuthScopes {
    /// Full permissions.
    static let fullPermission = "default"
    /// The OpenID Connect scopes, allowed with either mode.
    static let openID: Set<String> = ["openid", "email", "profile"]
    /// The granular scopes relevant to this API subset (spelling of the OAS: `workspaces.typeahead:read`).
    static let granular: Set<String> = [
        "users:read", "teams:read", "team_memberships:read", "workspaces:read", "workspaces.typeahead:read",
    ]
    /// Every scope name accepted at authorize time and in seeds.
    static let known: Set<String> = granular.union(openID).union([fullPermission])

    /// Splits a space-delimited `scope` parameter (`+` already decoded to a space); empty names dropped,
    /// duplicates dropped, first-seen order kept.
    static func parse(_ raw: String?) -> [String] {
        var seen = Set<String>()
        return (raw ?? "").split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init).filter { seen.insert($0).inserted }
    }
}

/// What a granular-scope token needs to call an endpoint (each Asana OpenAPI operation's `security` block).
enum ScopeRequirement: Equatable, Sendable {
    /// This granular scope.
    case scope(String)
    /// No granular scope is listed (`oauth2: []`): only a full-permission token may call it (inferred; Asana does not say so).
    case fullPermission

    /// The requirement of `method path` (path relative to `/api/1.0`, no query), or nil for paths the simulator
    /// does not know (they answer 404 as usual).
    ///
    /// GET `/users`, `/users/{u}`, `/workspaces/{w}/users[/{u}]`, `/teams/{t}/users` → `users:read`;
    /// `/workspaces`, `/workspaces/{w}` → `workspaces:read`; `/workspaces/{w}/teams`, `/teams/{t}`, `/users/{u}/teams`
    /// → `teams:read`; `/team_memberships[/{m}]`, `/teams/{t}/team_memberships`, `/users/{u}/team_memberships` →
    /// `team_memberships:read`; `/workspaces/{w}/typeahead` → `workspaces.typeahead:read`; workspace-membership GETs
    /// and every non-GET → full permission only.
    static func of(method: String, path: String) -> ScopeRequirement? {
        guard method == "GET" || method == "HEAD" else { return .fullPermission }
        let parts = path.split(separator: "/").map(String.init)
        switch (parts.first, parts.count) {
        case ("users", 1), ("users", 2): return .scope("users:read")
        case ("users", 3):
            switch parts[2] {
            case "teams": return .scope("teams:read")
            case "team_memberships": return .scope("team_memberships:read")
            case "workspace_memberships": return .fullPermission
            default: return nil
            }
        case ("workspaces", 1), ("workspaces", 2): return .scope("workspaces:read")
        case ("workspaces", 3), ("workspaces", 4):
            switch parts[2] {
            case "users": return .scope("users:read")
            case "teams" where parts.count == 3: return .scope("teams:read")
            case "typeahead" where parts.count == 3: return .scope("workspaces.typeahead:read")
            case "workspace_memberships" where parts.count == 3: return .fullPermission
            default: return nil
            }
        case ("workspace_memberships", _): return .fullPermission
        case ("teams", 2): return .scope("teams:read")
        case ("teams", 3):
            switch parts[2] {
            case "users": return .scope("users:read")
            case "team_memberships": return .scope("team_memberships:read")
            default: return nil
            }
        case ("team_memberships", 1), ("team_memberships", 2): return .scope("team_memberships:read")
        default: return nil
        }
    }

    /// The 403 for a granular token lacking this requirement: `The following scopes must be present to fulfill this
    /// request: <scope>` (from a third-party test fixture; unconfirmed by Asana), or, for full-permission-only endpoints,
    /// a chosen message saying a full-permission token is needed.
    var refusal: AsanaErrorBody {
        switch self {
        case .scope(let scope):
            return .forbidden("The following scopes must be present to fulfill this request: \(scope)")
        case .fullPermission:
            return .forbidden(
                "This endpoint has no granular scope and requires a full-permission (default) token; this token only has granular scopes.")
        }
    }

    /// Whether a token with `scopes` (`nil` = full permission) may call an endpoint with this requirement.
    func isSatisfied(by scopes: [String]?) -> Bool {
        guard let scopes else { return true }
        switch self {
        case .scope(let scope): return scopes.contains(scope)
        case .fullPermission: return false
        }
    }
}

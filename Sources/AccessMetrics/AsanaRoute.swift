/// The route template of a path sent to Asana, for the `route` label: every segment that is not one of
/// Asana's fixed words becomes `{gid}` (`/workspaces/1201/users` → `/workspaces/{gid}/users`), so no gid
/// or email ever reaches a label and the label's values are bounded by the routes the client calls.
public enum AsanaRoute {
    /// The fixed segments of the routes the client calls (AsanaClient+Endpoints.swift, the OAuth endpoint).
    public static let fixedSegments: Set<Substring> = [
        "users", "me", "workspaces", "workspace_memberships", "teams", "team_memberships", "addUser", "removeUser",
        "-", "oauth_token",
    ]

    /// The template of every route `AsanaClient` calls (AsanaClient+Endpoints.swift), for the series created
    /// at start (``BoundedSeries``). A route missing here still gets its series at its first event.
    public static let knownTemplates = [
        "/users", "/users/me", "/users/{gid}", "/users/{gid}/team_memberships",
        "/workspaces", "/workspaces/{gid}", "/workspaces/{gid}/workspace_memberships", "/workspaces/{gid}/teams",
        "/workspaces/{gid}/addUser", "/workspaces/{gid}/removeUser",
        "/teams/{gid}/team_memberships", "/teams/{gid}/addUser", "/teams/{gid}/removeUser",
    ]

    /// The template of `path` (without its query).
    public static func template(_ path: String) -> String {
        let withoutQuery = path.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
        return withoutQuery.split(separator: "/", omittingEmptySubsequences: false)
            .map { $0.isEmpty || fixedSegments.contains($0) ? String($0) : "{gid}" }
            .joined(separator: "/")
    }
}

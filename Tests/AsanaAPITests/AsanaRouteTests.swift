import AccessMetrics
import Testing

/// The `route` label of the Asana request metrics: a template, never a gid or an email.
@Suite("Asana route templates")
struct AsanaRouteTests {
    @Test("ids and emails become {gid}; Asana's fixed words stay", arguments: [
        ("/users/me", "/users/me"),
        ("/workspaces", "/workspaces"),
        ("/workspaces/1201", "/workspaces/{gid}"),
        ("/workspaces/1201/users", "/workspaces/{gid}/users"),
        ("/workspaces/1201/workspace_memberships?limit=100&offset=abc", "/workspaces/{gid}/workspace_memberships"),
        ("/users/someone%40acme.example", "/users/{gid}"),
        ("/users/someone@acme.example/team_memberships", "/users/{gid}/team_memberships"),
        ("/teams/42/addUser", "/teams/{gid}/addUser"),
        ("/-/oauth_token", "/-/oauth_token"),
        ("", ""),
    ])
    func template(path: String, expected: String) {
        #expect(AsanaRoute.template(path) == expected)
    }
}

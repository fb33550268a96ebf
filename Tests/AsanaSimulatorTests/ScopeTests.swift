import Foundation
import Testing

@testable import AsanaSimulator

@Suite("Granular scopes (https://developers.asana.com/docs/oauth-scopes)")
struct ScopeTests {
    static let fullOnly =
        "This endpoint has no granular scope and requires a full-permission (default) token; this token only has granular scopes."

    static func missing(_ scope: String) -> String {
        "The following scopes must be present to fulfill this request: \(scope)"
    }

    @Test("a seeded users:read token: users pass, other endpoints → 403 naming the missing scope")
    func seededGranularToken() async throws {
        try await withSimulator(seed: TestSeeds.withOAuth()) { api in
            let token = "users-read-token"
            let me = try await api.get("/users/me", token: token)
            #expect(me.status == 200)
            #expect(me.dataObject["gid"] as? String == "1002")
            #expect(try await api.get("/users?workspace=1000&limit=5", token: token).status == 200)
            #expect(try await api.get("/users/1003", token: token).status == 200)

            let workspaces = try await api.get("/workspaces", token: token)
            #expect(workspaces.status == 403)
            #expect(workspaces.errorMessage == Self.missing("workspaces:read"))
            #expect((workspaces.firstError["help"] as? String)?.contains("developers.asana.com") == true)
            #expect(try await api.get("/workspaces/1000", token: token).errorMessage == Self.missing("workspaces:read"))
            #expect(try await api.get("/workspaces/1000/teams", token: token).errorMessage == Self.missing("teams:read"))
            #expect(try await api.get("/teams/3001", token: token).errorMessage == Self.missing("teams:read"))
            #expect(try await api.get("/teams/3001/team_memberships", token: token).errorMessage == Self.missing("team_memberships:read"))
            #expect(
                try await api.get("/users/me/team_memberships?workspace=1000", token: token).errorMessage
                    == Self.missing("team_memberships:read"))

            let memberships = try await api.get("/workspaces/1000/workspace_memberships", token: token)
            #expect(memberships.status == 403)
            #expect(memberships.errorMessage == Self.fullOnly)
            // Unknown routes still answer 404.
            #expect(try await api.get("/projects", token: token).status == 404)
        }
    }

    @Test("granular tokens cannot write: addUser/removeUser → 403, nothing changes")
    func granularWrites() async throws {
        var seed = TestSeeds.withOAuth()
        seed.tokens.append(.init(token: "admin-granular", user: "1001", scopes: ["users:read", "workspaces:read", "teams:read"]))
        try await withSimulator(seed: seed) { api in
            let before = api.simulator.state()
            let add = try await api.post("/workspaces/1000/addUser", user: "new.person@acme.example", token: "admin-granular")
            #expect(add.status == 403)
            #expect(add.errorMessage == Self.fullOnly)
            let remove = try await api.post("/workspaces/1000/removeUser", user: "1003", token: "admin-granular")
            #expect(remove.status == 403)
            let team = try await api.post("/teams/3001/addUser", user: "1003", token: "admin-granular")
            #expect(team.status == 403)
            #expect(api.simulator.state() == before)
            // The same user with a full-permission token may.
            #expect(try await api.post("/workspaces/1000/removeUser", user: "1003").status == 200)
        }
    }

    @Test("OAuth: granular grant carries its scopes; full-permission grant is unrestricted")
    func oauthScopes() async throws {
        try await withSimulator(seed: TestSeeds.withOAuth()) { api in
            let oauth = OAuthClient(api: api)
            let granular = try await oauth.login(
                client: "demo-granular-client", secret: "demo-granular-secret",
                scope: "users:read teams:read team_memberships:read workspaces:read")
            let token = try #require(granular.object["access_token"] as? String)
            #expect(try await api.get("/workspaces", token: token).status == 200)
            #expect(try await api.get("/teams/3001", token: token).status == 200)
            #expect(try await api.get("/teams/3001/team_memberships", token: token).status == 200)
            #expect(try await api.get("/workspaces/1000/workspace_memberships", token: token).errorMessage == Self.fullOnly)
            #expect(try await api.post("/teams/3001/removeUser", user: "1002", token: token).status == 403)

            let openID = try await oauth.login(client: "demo-granular-client", secret: "demo-granular-secret", scope: "openid email")
            let narrow = try #require(openID.object["access_token"] as? String)
            let me = try await api.get("/users/me", token: narrow)
            #expect(me.status == 403)
            #expect(me.errorMessage == Self.missing("users:read"))

            let full = try #require(try await oauth.login().object["access_token"] as? String)
            #expect(try await api.get("/workspaces/1000/workspace_memberships", token: full).status == 200)
            #expect(try await api.get("/teams/3001", token: full).status == 200)
        }
    }

    @Test("endpoint → scope table")
    func table() {
        #expect(ScopeRequirement.of(method: "GET", path: "/users/me") == .scope("users:read"))
        #expect(ScopeRequirement.of(method: "GET", path: "/workspaces/1/users") == .scope("users:read"))
        #expect(ScopeRequirement.of(method: "GET", path: "/workspaces/1/users/2") == .scope("users:read"))
        #expect(ScopeRequirement.of(method: "GET", path: "/teams/1/users") == .scope("users:read"))
        #expect(ScopeRequirement.of(method: "GET", path: "/users/2/teams") == .scope("teams:read"))
        #expect(ScopeRequirement.of(method: "GET", path: "/team_memberships/9") == .scope("team_memberships:read"))
        #expect(ScopeRequirement.of(method: "GET", path: "/workspaces/1/typeahead") == .scope("workspaces.typeahead:read"))
        #expect(ScopeRequirement.of(method: "GET", path: "/workspace_memberships/9") == .fullPermission)
        #expect(ScopeRequirement.of(method: "GET", path: "/users/2/workspace_memberships") == .fullPermission)
        #expect(ScopeRequirement.of(method: "POST", path: "/teams/1/addUser") == .fullPermission)
        #expect(ScopeRequirement.of(method: "GET", path: "/projects") == nil)
        #expect(ScopeRequirement.of(method: "GET", path: "/workspaces/1/projects") == nil)
        #expect(ScopeRequirement.scope("users:read").isSatisfied(by: nil))
        #expect(!ScopeRequirement.fullPermission.isSatisfied(by: ["users:read"]))
        #expect(ScopeRequirement.fullPermission.isSatisfied(by: nil))
    }
}

import Foundation
import Testing

@testable import AsanaSimulator

@Suite("Compact records and opt_fields (Asana OpenAPI opt_fields parameter and schemas)")
struct OptFieldsTests {
    @Test("/users items are compact without opt_fields, gid plus the asked fields with it")
    func users() async throws {
        try await withSimulator { client in
            let compact = try await client.get("/users?workspace=1000&limit=2")
            #expect(compact.dataArray.first?.keys.sorted() == ["gid", "name", "resource_type"])
            let withEmail = try await client.get("/users?workspace=1000&limit=2&opt_fields=name,email")
            #expect(withEmail.dataArray.first?.keys.sorted() == ["email", "gid", "name"])
            #expect(withEmail.dataArray.first?["email"] as? String == "ada.admin@acme.example")
            let onlyEmail = try await client.get("/users/me?opt_fields=email")
            #expect(onlyEmail.dataObject.keys.sorted() == ["email", "gid"])
        }
    }

    @Test("workspace memberships: compact by default; nested user.email and flags on request")
    func memberships() async throws {
        try await withSimulator { client in
            let compact = try await client.get("/workspaces/1000/workspace_memberships?limit=1")
            let first = try #require(compact.dataArray.first)
            #expect(first.keys.sorted() == ["gid", "resource_type", "user", "workspace"])
            #expect(first["resource_type"] as? String == "workspace_membership")
            #expect((first["user"] as? [String: Any])?.keys.sorted() == ["gid", "name", "resource_type"])
            #expect((first["workspace"] as? [String: Any])?["name"] as? String == "Acme Corp")
            #expect(first["is_active"] == nil)

            let fields = "user,user.name,user.email,is_active,is_admin,is_guest,is_view_only"
            let full = try await client.get("/workspaces/1000/workspace_memberships?limit=1&opt_fields=\(fields)")
            let item = try #require(full.dataArray.first)
            #expect(item.keys.sorted() == ["gid", "is_active", "is_admin", "is_guest", "is_view_only", "user"])
            let user = try #require(item["user"] as? [String: Any])
            #expect(user["email"] as? String == "ada.admin@acme.example")
            #expect(user["name"] as? String == "Ada Admin")
            #expect(item["is_admin"] as? Bool == true)

            let nestedOnly = try await client.get("/workspaces/1000/workspace_memberships?limit=1&opt_fields=user.email")
            #expect((nestedOnly.dataArray.first?["user"] as? [String: Any])?.keys.sorted() == ["email", "gid"])
        }
    }

    @Test("team memberships carry user, team and flags; opt_fields narrows them")
    func teamMemberships() async throws {
        try await withSimulator { client in
            let plain = try await client.get("/teams/3001/team_memberships?limit=10")
            let first = try #require(plain.dataArray.first)
            #expect(first.keys.sorted() == ["gid", "is_admin", "is_guest", "is_limited_access", "resource_type", "team", "user"])
            #expect((first["team"] as? [String: Any])?["name"] as? String == "Engineering")
            let narrowed = try await client.get("/teams/3001/team_memberships?limit=10&opt_fields=user.email,team.name")
            let item = try #require(narrowed.dataArray.first)
            #expect(item.keys.sorted() == ["gid", "team", "user"])
            #expect((item["user"] as? [String: Any])?["email"] as? String == "ada.admin@acme.example")
            #expect((item["team"] as? [String: Any])?.keys.sorted() == ["gid", "name"])
        }
    }

    @Test("workspace and team records: compact lists, full single GETs")
    func workspaceAndTeam() async throws {
        try await withSimulator { client in
            let teams = try await client.get("/workspaces/1000/teams?opt_fields=name")
            #expect(teams.dataArray.map { $0["name"] as? String } == ["Engineering", "Design"])
            let team = try await client.get("/teams/3002")
            #expect((team.dataObject["organization"] as? [String: Any])?["gid"] as? String == "1000")
            let workspaces = try await client.get("/workspaces?opt_fields=name,is_organization,email_domains")
            #expect(workspaces.dataArray.first?.keys.sorted() == ["email_domains", "gid", "is_organization", "name"])
        }
    }

    @Test("parsing: this. prefix, groups, related selections")
    func parsing() throws {
        let fields = try #require(OptFields(query: "this.name,user.(name|email),team"))
        #expect(fields.paths == ["name", "user.name", "user.email", "team"])
        #expect(fields.related("user", compact: ["name"])?.paths == ["name", "email"])
        #expect(fields.related("team", compact: ["resource_type", "name"])?.paths == ["resource_type", "name"])
        #expect(fields.related("workspace", compact: ["name"]) == nil)
        #expect(OptFields(query: nil) == nil)
    }
}

import Foundation
import Testing

@testable import AsanaSimulator

@Suite("Membership writes (Asana OpenAPI addUser/removeUser operations; https://forum.asana.com/t/new-api-resource-workspace-memberships/57272)")
struct MembershipTests {
    @Test("addUser with a new in-domain email invites: new user, active non-guest membership, listed in /users")
    func inviteMember() async throws {
        try await withSimulator { client in
            let reply = try await client.post("/workspaces/1000/addUser", user: "Nina.New@acme.example")
            #expect(reply.status == 200)
            let user = reply.dataObject
            let gid = try #require(user["gid"] as? String)
            #expect(user["name"] as? String == "Nina.New")
            #expect(user["email"] as? String == "Nina.New@acme.example")
            #expect(user["resource_type"] as? String == "user")
            #expect(user["workspaces"] == nil)

            let memberships = client.simulator.state().workspaceMemberships.filter { $0.user == gid }
            #expect(memberships.count == 1)
            #expect(memberships.first?.isActive == true)
            #expect(memberships.first?.isGuest == false)
            #expect(memberships.first?.isAdmin == false)

            let users = try await client.get("/users?workspace=1000&limit=100")
            #expect(gids(users.dataArray).contains(gid))
            let lookup = try await client.get("/users/nina.new%40acme.example")
            #expect(lookup.dataObject["gid"] as? String == gid)
        }
    }

    @Test("addUser with a foreign domain makes a guest")
    func inviteGuest() async throws {
        try await withSimulator { client in
            let reply = try await client.post("/workspaces/1000/addUser", user: "gary@partner.example")
            #expect(reply.status == 200)
            let gid = try #require(reply.dataObject["gid"] as? String)
            let listed = try await client.get("/workspaces/1000/workspace_memberships?user=\(gid)&opt_fields=is_guest,is_active")
            #expect(listed.dataArray.count == 1)
            #expect(listed.dataArray.first?["is_guest"] as? Bool == true)
            #expect(listed.dataArray.first?["is_active"] as? Bool == true)
        }
    }

    @Test("addUser of an active member is idempotent; opt_fields applies to the answer")
    func addExisting() async throws {
        try await withSimulator { client in
            let before = client.simulator.state().workspaceMemberships.count
            let reply = try await client.post("/workspaces/1000/addUser?opt_fields=email", user: "1003")
            #expect(reply.status == 200)
            #expect(reply.dataObject.keys.sorted() == ["email", "gid"])
            #expect(reply.dataObject["gid"] as? String == "1003")
            let me = try await client.post("/workspaces/1000/addUser", json: #"{"data":{"user":"me"},"options":{"fields":["name"]}}"#)
            #expect(me.dataObject.keys.sorted() == ["gid", "name"])
            #expect(client.simulator.state().workspaceMemberships.count == before)
        }
    }

    @Test("removeUser deactivates, drops team memberships, removes from /users; re-add makes a second membership")
    func removeAndReAdd() async throws {
        try await withSimulator { client in
            let removed = try await client.post("/workspaces/1000/removeUser", user: "max.member@acme.example")
            #expect(removed.status == 200)
            #expect(removed.text == #"{"data":{}}"#)

            let state = client.simulator.state()
            #expect(state.workspaceMemberships.filter { $0.user == "1002" }.map(\.isActive) == [false])
            #expect(!state.teamMemberships.contains { $0.user == "1002" })
            let users = try await client.get("/users?workspace=1000&limit=100")
            #expect(!gids(users.dataArray).contains("1002"))
            let teamList = try await client.get("/teams/3001/team_memberships?limit=100&opt_fields=user")
            #expect(!teamList.dataArray.contains { ($0["user"] as? [String: Any])?["gid"] as? String == "1002" })
            let inactive = try await client.get("/workspaces/1000/workspace_memberships?user=1002&opt_fields=is_active")
            #expect(inactive.dataArray.map { $0["is_active"] as? Bool } == [false])

            // The removed person's token no longer reaches the workspace.
            #expect(try await client.get("/users?workspace=1000&limit=10", token: TestTokens.member).status == 403)

            let readded = try await client.post("/workspaces/1000/addUser", user: "1002")
            #expect(readded.status == 200)
            #expect(readded.dataObject["gid"] as? String == "1002")
            let both = try await client.get("/workspaces/1000/workspace_memberships?user=1002&opt_fields=is_active")
            #expect(both.dataArray.count == 2)
            #expect(both.dataArray.map { $0["is_active"] as? Bool } == [false, true])
            #expect(Set(gids(both.dataArray)).count == 2)
            let usersAgain = try await client.get("/users?workspace=1000&limit=100")
            #expect(gids(usersAgain.dataArray).contains("1002"))
        }
    }

    @Test("removeUser of a non-member or removed person → 200 {} and no change; unknown user → 400")
    func removeIdempotent() async throws {
        try await withSimulator { client in
            let outsider = try await client.post("/workspaces/1000/removeUser", user: "1999")
            #expect(outsider.status == 200)
            #expect(outsider.text == #"{"data":{}}"#)
            #expect(client.simulator.state().workspaceMemberships.first { $0.user == "1999" }?.isActive == true)
            let unknown = try await client.post("/workspaces/1000/removeUser", user: "nobody@acme.example")
            #expect(unknown.status == 400)
            #expect(unknown.errorMessage == "user: Not a recognized ID: nobody@acme.example")
        }
    }

    @Test("addUser/removeUser by a non-admin → 403; unknown workspace → 404")
    func nonAdmin() async throws {
        try await withSimulator { client in
            let remove = try await client.post("/workspaces/1000/removeUser", user: "1003", token: TestTokens.member)
            #expect(remove.status == 403)
            #expect(remove.errorMessage?.isEmpty == false)
            #expect(client.simulator.state().workspaceMemberships.first { $0.user == "1003" }?.isActive == true)
            let add = try await client.post("/workspaces/1000/addUser", user: "x@acme.example", token: TestTokens.member)
            #expect(add.status == 403)
            let foreign = try await client.post("/workspaces/2000/removeUser", user: "1999")
            #expect(foreign.status == 403)
            let unknown = try await client.post("/workspaces/9999/addUser", user: "1003")
            #expect(unknown.status == 404)
        }
    }

    @Test("malformed write bodies → 400")
    func badBodies() async throws {
        try await withSimulator { client in
            let missing = try await client.post("/workspaces/1000/addUser", json: #"{"data":{}}"#)
            #expect(missing.status == 400)
            #expect(missing.errorMessage == "user: Missing input")
            let unwrapped = try await client.post("/workspaces/1000/addUser", json: #"{"user":"1003"}"#)
            #expect(unwrapped.status == 400)
            #expect(unwrapped.errorMessage?.contains("\"data\"") == true)
            let notJSON = try await client.post("/workspaces/1000/addUser", json: "{nope")
            #expect(notJSON.status == 400)
            let badEmail = try await client.post("/workspaces/1000/addUser", user: "not an@email")
            #expect(badEmail.status == 400)
            let unknownGid = try await client.post("/workspaces/1000/addUser", user: "987654")
            #expect(unknownGid.status == 400)
            let empty = try await client.send("POST", "/workspaces/1000/addUser", token: TestTokens.admin, headers: [], body: nil)
            #expect(empty.status == 400)
        }
    }

    @Test("form-encoded writes work too")
    func formBody() async throws {
        try await withSimulator { client in
            let reply = try await client.send(
                "POST", "/teams/3001/addUser", token: TestTokens.admin,
                headers: [("Content-Type", "application/x-www-form-urlencoded")], body: Array("user=person4%40acme.example".utf8))
            #expect(reply.status == 200)
            #expect((reply.dataObject["user"] as? [String: Any])?["gid"] as? String == "1004")
        }
    }

    @Test("team addUser: returns the team membership, idempotent; a non-member of the organization → 403")
    func teamAdd() async throws {
        try await withSimulator { client in
            let added = try await client.post("/teams/3001/addUser", user: "person5@acme.example")
            #expect(added.status == 200)
            let membership = added.dataObject
            #expect(membership["resource_type"] as? String == "team_membership")
            #expect((membership["user"] as? [String: Any])?["gid"] as? String == "1005")
            #expect((membership["team"] as? [String: Any])?["gid"] as? String == "3001")
            #expect(membership["is_guest"] as? Bool == false)
            let again = try await client.post("/teams/3001/addUser", user: "1005")
            #expect(again.dataObject["gid"] as? String == membership["gid"] as? String)

            let outsider = try await client.post("/teams/3001/addUser", user: "1999")
            #expect(outsider.status == 403)
            #expect(outsider.errorMessage?.contains("not an active member") == true)
            let unknown = try await client.post("/teams/3001/addUser", user: "ghost@acme.example")
            #expect(unknown.status == 400)
            #expect(try await client.post("/teams/9999/addUser", user: "1005").status == 404)
        }
    }

    @Test("team writes: a team member may add, a non-member non-admin may not; removeUser → {}")
    func teamPermissions() async throws {
        try await withSimulator { client in
            let byMember = try await client.post("/teams/3001/addUser", user: "1006", token: TestTokens.member)
            #expect(byMember.status == 200)
            let byNonMember = try await client.post("/teams/3002/addUser", user: "1006", token: TestTokens.member)
            #expect(byNonMember.status == 403)

            let removed = try await client.post("/teams/3001/removeUser", user: "1006")
            #expect(removed.status == 200)
            #expect(removed.text == #"{"data":{}}"#)
            #expect(!client.simulator.state().teamMemberships.contains { $0.user == "1006" && $0.team == "3001" })
            let again = try await client.post("/teams/3001/removeUser", user: "1006")
            #expect(again.status == 200)
        }
    }

    @Test("guest invited to the organization is a guest in teams too")
    func guestTeamMembership() async throws {
        try await withSimulator { client in
            let invited = try await client.post("/workspaces/1000/addUser", user: "gina@partner.example")
            let gid = try #require(invited.dataObject["gid"] as? String)
            let added = try await client.post("/teams/3002/addUser", user: gid)
            #expect(added.dataObject["is_guest"] as? Bool == true)
        }
    }

    @Test("GET /users/{user}/team_memberships lists one person's teams in an organization; workspace is required")
    func userTeamMemberships() async throws {
        try await withSimulator { client in
            let state = client.simulator.state()
            let membership = try #require(state.teamMemberships.first)
            let expected = Set(state.teamMemberships.filter { $0.user == membership.user }.map(\.gid))
            let reply = try await client.get("/users/\(membership.user)/team_memberships?workspace=1000&limit=100&opt_fields=team,team.name")
            #expect(reply.status == 200)
            #expect(Set(gids(reply.dataArray)) == expected)
            let missing = try await client.get("/users/\(membership.user)/team_memberships")
            #expect(missing.status == 400)
            #expect(missing.errorMessage == "workspace: Missing input")
        }
    }
}

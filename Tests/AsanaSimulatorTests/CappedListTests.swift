import Foundation
import Testing

@testable import AsanaSimulator

@Suite("Capped alphabetical lists: /workspaces/{gid}/users and /teams/{gid}/users (Asana OpenAPI getUsersForWorkspace, getUsersForTeam)")
struct CappedListTests {
    /// Names sorted as the simulator documents: case-insensitive name, then gid.
    static func expectedOrder(_ users: [SimulatorSeed.User]) -> [String] {
        users.sorted { a, b in
            a.name.lowercased() != b.name.lowercased() ? a.name.lowercased() < b.name.lowercased() : gidLess(a.gid, b.gid)
        }.map(\.gid)
    }

    @Test("2,100 generated users: the first 2,000 active ones by name, compact, no next_page")
    func workspaceCap() async throws {
        let seed = SimulatorSeed.generated(users: 2100, teams: 5, seed: 3)
        let active = Set(seed.workspaceMemberships.filter(\.isActive).map(\.user))
        #expect(active.count > 2000)
        #expect(active.count < 2100)  // some were removed earlier
        let expected = Array(Self.expectedOrder(seed.users.filter { active.contains($0.gid) }).prefix(2000))
        try await withSimulator(seed: seed) { api in
            let reply = try await api.get("/workspaces/1000/users", token: SimulatorSeed.demoAdminToken)
            #expect(reply.status == 200)
            #expect(reply.object["next_page"] == nil)
            #expect(reply.dataArray.count == 2000)
            #expect(gids(reply.dataArray) == expected)
            let first = try #require(reply.dataArray.first)
            #expect(Set(first.keys) == ["gid", "resource_type", "name"])
            #expect(first["resource_type"] as? String == "user")
            let inactive = Set(seed.workspaceMemberships.filter { !$0.isActive }.map(\.user))
            #expect(Set(gids(reply.dataArray)).isDisjoint(with: inactive))

            let withEmail = try await api.get("/workspaces/1000/users?opt_fields=email&offset=whatever", token: SimulatorSeed.demoAdminToken)
            #expect(withEmail.status == 200)
            #expect(withEmail.dataArray.count == 2000)
            #expect(withEmail.dataArray.first?["email"] is String)

            let limited = try await api.get("/workspaces/1000/users?limit=100", token: SimulatorSeed.demoAdminToken)
            #expect(limited.status == 400)
            #expect(limited.errorMessage?.hasPrefix("limit: /workspaces/1000/users is not paginated") == true)
        }
    }

    @Test("small workspace: alphabetical, removed people drop out; access rules")
    func workspaceRules() async throws {
        try await withSimulator { api in
            let reply = try await api.get("/workspaces/1000/users")
            #expect(reply.dataArray.compactMap { $0["name"] as? String }.prefix(3) == ["Ada Admin", "Max Member", "Person 10"])
            #expect(reply.dataArray.count == 10)
            #expect(try await api.post("/workspaces/1000/removeUser", user: "1003").status == 200)
            let after = try await api.get("/workspaces/1000/users")
            #expect(after.dataArray.count == 9)
            #expect(!gids(after.dataArray).contains("1003"))
            #expect(try await api.get("/workspaces/2000/users").status == 403)
            #expect(try await api.get("/workspaces/9999/users").status == 404)
        }
    }

    @Test("team of 2,100: the first 2,000 by name; guests included; access rules")
    func teamCap() async throws {
        var seed = TestSeeds.organization()
        for index in 1...2100 {
            let gid = String(20_000 + index)
            seed.users.append(.init(gid: gid, name: "Member \(index)", email: "member\(index)@acme.example"))
            seed.workspaceMemberships.append(.init(gid: String(40_000 + index), user: gid, workspace: "1000", isGuest: index == 7))
            seed.teamMemberships.append(.init(gid: String(60_000 + index), user: gid, team: "3001", isGuest: index == 7))
        }
        try seed.validate()
        try await withSimulator(seed: seed) { api in
            let reply = try await api.get("/teams/3001/users")
            #expect(reply.status == 200)
            #expect(reply.object["next_page"] == nil)
            #expect(reply.dataArray.count == 2000)
            let memberGids = Set(seed.teamMemberships.filter { $0.team == "3001" }.map(\.user))
            let members = seed.users.filter { memberGids.contains($0.gid) }
            #expect(members.count == 2102)
            #expect(gids(reply.dataArray) == Array(Self.expectedOrder(members).prefix(2000)))
            #expect(reply.dataArray.first?["name"] as? String == "Ada Admin")
            #expect(gids(reply.dataArray).contains("20007"))  // a guest member is listed
            let small = try await api.get("/teams/3002/users")
            #expect(gids(small.dataArray) == ["1003"])
            #expect(try await api.get("/teams/3001/users?limit=5").status == 400)
            #expect(try await api.get("/teams/3001/users", token: TestTokens.outsider).status == 403)
            #expect(try await api.get("/teams/9999/users").status == 404)
        }
    }
}

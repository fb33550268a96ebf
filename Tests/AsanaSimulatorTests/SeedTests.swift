import Foundation
import Testing

@testable import AsanaSimulator

@Suite("Seeds: generator and JSON format")
struct SeedTests {
    @Test("generated seed is deterministic and differs with another random seed")
    func deterministic() {
        let a = SimulatorSeed.generated(users: 300, teams: 12, seed: 7)
        let b = SimulatorSeed.generated(users: 300, teams: 12, seed: 7)
        let c = SimulatorSeed.generated(users: 300, teams: 12, seed: 8)
        #expect(a == b)
        #expect(a != c)
    }

    @Test("generated seed has the requested counts, unique emails and team names, and the demo tokens")
    func shape() throws {
        let seed = SimulatorSeed.generated()
        #expect(seed.users.count == 1500)
        #expect(seed.teams.count == 20)
        #expect(seed.workspaces.count == 1)
        let org = try #require(seed.workspaces.first)
        #expect(org.gid == "1000")
        #expect(org.name == "Acme Corp")
        #expect(org.isOrganization)
        #expect(org.emailDomains == ["acme.example"])
        #expect(seed.workspaceMemberships.count == 1500)
        #expect(Set(seed.workspaceMemberships.map(\.user)).count == 1500)

        let emails = seed.users.compactMap { $0.email?.lowercased() }
        #expect(emails.count == 1500)
        #expect(Set(emails).count == 1500)
        #expect(Set(seed.teams.map(\.name)).count == 20)
        #expect(seed.teams.prefix(2).map(\.name) == ["Engineering", "Design"])

        let ada = try #require(seed.users.first)
        #expect(ada.name == "Ada Admin")
        #expect(ada.email == "ada.admin@acme.example")
        let byUser = Dictionary(grouping: seed.workspaceMemberships, by: \.user)
        #expect(byUser[ada.gid]?.first?.isAdmin == true)
        let tokens = Dictionary(uniqueKeysWithValues: seed.tokens.map { ($0.token, $0.user) })
        #expect(tokens["demo-admin-token"] == ada.gid)
        let memberGid = try #require(tokens["demo-member-token"])
        #expect(byUser[memberGid]?.first?.isAdmin == false)
        #expect(byUser[memberGid]?.first?.isActive == true)

        let guests = seed.workspaceMemberships.filter(\.isGuest)
        #expect((15...90).contains(guests.count))  // about 3%
        let usersByGid = Dictionary(uniqueKeysWithValues: seed.users.map { ($0.gid, $0) })
        for guest in guests {
            #expect(usersByGid[guest.user]?.email?.hasSuffix("@acme.example") == false)
        }
        let viewOnly = seed.workspaceMemberships.filter(\.isViewOnly).count
        #expect((5...70).contains(viewOnly))  // about 2%

        let teamsPerUser = Dictionary(grouping: seed.teamMemberships, by: \.user).mapValues(\.count)
        #expect(teamsPerUser.values.allSatisfy { (1...3).contains($0) })
        #expect(Set(seed.teamMemberships.map { "\($0.user)/\($0.team)" }).count == seed.teamMemberships.count)
        let allGids = seed.workspaces.map(\.gid) + seed.users.map(\.gid) + seed.teams.map(\.gid)
            + seed.workspaceMemberships.map(\.gid) + seed.teamMemberships.map(\.gid)
        #expect(Set(allGids).count == allGids.count)
        try seed.validate()
    }

    @Test("many teams get unique suffixed names; small counts are clamped")
    func edges() throws {
        let many = SimulatorSeed.generated(users: 2, teams: 65)
        #expect(Set(many.teams.map(\.name)).count == 65)
        #expect(many.teams.map(\.name).contains("Engineering 2"))
        let tiny = SimulatorSeed.generated(organizationName: "Globex Inc", users: 0, teams: 0)
        #expect(tiny.users.count == 2)
        #expect(tiny.teams.isEmpty)
        #expect(tiny.workspaces.first?.emailDomains == ["globex.example"])
        try tiny.validate()
    }

    @Test("JSON uses snake_case keys and round-trips; missing flags take defaults")
    func json() throws {
        let seed = SimulatorSeed.generated(users: 20, teams: 3)
        let data = try seed.jsonData()
        let text = String(decoding: data, as: UTF8.self)
        for key in ["\"workspace_memberships\"", "\"team_memberships\"", "\"is_organization\"", "\"email_domains\"",
                    "\"is_active\"", "\"is_view_only\"", "\"is_limited_access\"", "\"tokens\""] {
            #expect(text.contains(key), "\(key)")
        }
        #expect(try JSONDecoder().decode(SimulatorSeed.self, from: data) == seed)

        let minimal = #"""
            {"workspaces":[{"gid":"1","name":"W"}],"users":[{"gid":"2","name":"U","email":null}],
             "workspace_memberships":[{"gid":"3","user":"2","workspace":"1"}]}
            """#
        let decoded = try JSONDecoder().decode(SimulatorSeed.self, from: Data(minimal.utf8))
        #expect(decoded.workspaces.first?.isOrganization == false)
        #expect(decoded.workspaces.first?.emailDomains == [])
        #expect(decoded.users.first?.email == nil)
        #expect(decoded.workspaceMemberships.first?.isActive == true)
        #expect(decoded.workspaceMemberships.first?.isAdmin == false)
        #expect(decoded.teams.isEmpty && decoded.tokens.isEmpty)
    }

    @Test("validate reports duplicate gids and dangling references")
    func validation() {
        var seed = TestSeeds.organization()
        seed.teamMemberships.append(.init(gid: "1001", user: "777", team: "3001"))
        seed.tokens.append(.init(token: "x", user: "888"))
        #expect(throws: SimulatorSeedError.self) { try seed.validate() }
        do {
            try seed.validate()
        } catch let SimulatorSeedError.invalid(problems) {
            #expect(problems.contains("duplicate gid 1001"))
            #expect(problems.contains("team membership 1001: unknown user 777"))
            #expect(problems.contains("token for unknown user 888"))
        } catch {
            Issue.record("unexpected error \(error)")
        }
    }

    @Test("a served generated seed answers with the demo tokens; state() reflects writes")
    func servedGenerated() async throws {
        try await withSimulator(seed: .generated(users: 50, teams: 4)) { client in
            let me = try await client.get("/users/me", token: SimulatorSeed.demoAdminToken)
            #expect(me.dataObject["name"] as? String == "Ada Admin")
            let added = try await client.post("/workspaces/1000/addUser", user: "zed@acme.example", token: SimulatorSeed.demoAdminToken)
            #expect(added.status == 200)
            #expect(client.simulator.state().users.count == 51)
            let member = try await client.post(
                "/workspaces/1000/removeUser", user: "zed@acme.example", token: SimulatorSeed.demoMemberToken)
            #expect(member.status == 403)
        }
    }
}

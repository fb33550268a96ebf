import Foundation
import Testing

@testable import AsanaSimulator

@Suite("Opt-in provisioning refusals (chosen: a modelling choice of this simulator, not documented by Asana)")
struct ProvisioningRefusalTests {
    static let deprovisioned = "This user was deprovisioned and cannot be re-added to the organization"

    static func noGuests() -> SimulatorSeed {
        var seed = TestSeeds.organization()
        seed.workspaces[0].guestsAllowed = false
        return seed
    }

    @Test("guests_allowed false: an outside email → 403 and nothing is created; domain emails still join")
    func guestsNotAllowed() async throws {
        try await withSimulator(seed: Self.noGuests()) { api in
            let before = api.simulator.state()
            let refused = try await api.post("/workspaces/1000/addUser", user: "gig.worker@partners.example")
            #expect(refused.status == 403)
            #expect(
                refused.errorMessage
                    == "gig.worker@partners.example is outside this organization's email domains and guests are not allowed")
            #expect(api.simulator.state() == before)

            // An existing person with an outside email, named by gid.
            let olga = try await api.post("/workspaces/1000/addUser", user: "1999")
            #expect(olga.status == 403)
            #expect(olga.errorMessage == "olga@other.example is outside this organization's email domains and guests are not allowed")

            let member = try await api.post("/workspaces/1000/addUser", user: "new.hire@ACME.example")
            #expect(member.status == 200)
            let gid = try #require(member.dataObject["gid"] as? String)
            let membership = try #require(api.simulator.state().workspaceMemberships.first { $0.user == gid })
            #expect(!membership.isGuest)
            #expect(membership.isActive)
        }
    }

    @Test("guests_allowed default true: the same outside email is invited as a guest")
    func guestsAllowedByDefault() async throws {
        try await withSimulator { api in
            let reply = try await api.post("/workspaces/1000/addUser", user: "gig.worker@partners.example")
            #expect(reply.status == 200)
            let gid = try #require(reply.dataObject["gid"] as? String)
            #expect(api.simulator.state().workspaceMemberships.first { $0.user == gid }?.isGuest == true)
        }
    }

    @Test("readdable false on an inactive membership → re-add refused with 403, nothing changes")
    func seededNotReaddable() async throws {
        var seed = TestSeeds.organization()
        let index = try #require(seed.workspaceMemberships.firstIndex { $0.user == "1005" })
        seed.workspaceMemberships[index].isActive = false
        seed.workspaceMemberships[index].readdable = false
        let reAddable = try #require(seed.workspaceMemberships.firstIndex { $0.user == "1006" })
        seed.workspaceMemberships[reAddable].isActive = false
        try await withSimulator(seed: seed) { api in
            let before = api.simulator.state()
            for reference in ["1005", "person5@acme.example"] {
                let reply = try await api.post("/workspaces/1000/addUser", user: reference)
                #expect(reply.status == 403)
                #expect(reply.errorMessage == Self.deprovisioned)
            }
            #expect(api.simulator.state() == before)
            // An ordinary removed person comes back with a new membership.
            #expect(try await api.post("/workspaces/1000/addUser", user: "1006").status == 200)
            #expect(api.simulator.state().workspaceMemberships.filter { $0.user == "1006" }.count == 2)
        }
    }

    @Test("markNotReaddable hook: takes effect once the person is removed")
    func hook() async throws {
        try await withSimulator { api in
            #expect(api.simulator.markNotReaddable(userGid: "1004", workspaceGid: "1000"))
            #expect(!api.simulator.markNotReaddable(userGid: "1004", workspaceGid: "2000"))
            #expect(!api.simulator.markNotReaddable(userGid: "424242", workspaceGid: "1000"))
            // Still active: adding again is the usual idempotent 200.
            #expect(try await api.post("/workspaces/1000/addUser", user: "1004").status == 200)
            #expect(try await api.post("/workspaces/1000/removeUser", user: "1004").status == 200)
            let refused = try await api.post("/workspaces/1000/addUser", user: "1004")
            #expect(refused.status == 403)
            #expect(refused.errorMessage == Self.deprovisioned)
            let memberships = api.simulator.state().workspaceMemberships.filter { $0.user == "1004" }
            #expect(memberships.count == 1)
            #expect(memberships.first?.isActive == false)
            #expect(memberships.first?.readdable == false)
        }
    }

    @Test("seed JSON: guests_allowed and readdable default to true and are written only when false")
    func seedFormat() throws {
        let json = #"""
            {"workspaces": [{"gid": "1", "name": "A", "is_organization": true, "email_domains": ["a.example"], "guests_allowed": false},
                            {"gid": "2", "name": "B"}],
             "users": [{"gid": "3", "name": "C", "email": "c@a.example"}],
             "workspace_memberships": [{"gid": "4", "user": "3", "workspace": "1", "is_active": false, "readdable": false},
                                       {"gid": "5", "user": "3", "workspace": "2"}]}
            """#
        let seed = try JSONDecoder().decode(SimulatorSeed.self, from: Data(json.utf8))
        #expect(seed.workspaces.map(\.guestsAllowed) == [false, true])
        #expect(seed.workspaceMemberships.map(\.readdable) == [false, true])
        let written = String(decoding: try seed.jsonData(), as: UTF8.self)
        #expect(written.components(separatedBy: "\"guests_allowed\"").count == 2)
        #expect(written.components(separatedBy: "\"readdable\"").count == 2)
        #expect(try JSONDecoder().decode(SimulatorSeed.self, from: try seed.jsonData()) == seed)
        let plain = String(decoding: try TestSeeds.organization().jsonData(), as: UTF8.self)
        #expect(!plain.contains("guests_allowed"))
        #expect(!plain.contains("readdable"))
    }
}

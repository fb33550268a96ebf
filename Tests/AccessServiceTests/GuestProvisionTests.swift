import AccessProtocol
import AccessService
import AccessStore
import AsanaSimulator
import Foundation
import LineRPC
import TestSupport
import Testing

extension Provision.Params {
    /// One person, with `allowGuest` when not nil.
    init(workspace: String, email: String, action: Provision.Action, allowGuest: Bool?, dryRun: Bool = false, teams: [String]? = nil) {
        var members: [String: JSONValue] = ["workspace": .string(workspace), "email": .string(email), "action": .string(action.rawValue), "dryRun": .bool(dryRun)]
        if let allowGuest { members["allowGuest"] = .bool(allowGuest) }
        if let teams { members["teams"] = .array(teams.map(JSONValue.string)) }
        self = try! JSONDecoder().decode(Provision.Params.self, from: JSONEncoder().encode(JSONValue.object(members)))
    }
}

@Suite("provision: an email outside the organization's domains needs allowGuest")
struct GuestProvisionTests {
    @Test("without allowGuest an outsider is refused with provision.outside_domain naming both domains and the fix; nothing reaches Asana")
    func outsiderRefused() async throws {
        let harness = try await ServiceHarness.start()
        defer { Task { await harness.stop() } }
        let domains = harness.seed.workspaces[0].emailDomains
        harness.simulator.clearRequestLog()
        let result = try await harness.provisionOne(
            Provision.Params(workspace: harness.workspace, email: "x@freelance.example", action: .add, allowGuest: nil, teams: [harness.seed.teams[0].name]),
            principal: "tester")
        #expect(result.targets.map(\.outcome) == [.failed], "the team step does not run either")
        let target = try #require(result.targets.first)
        #expect(target.calls == [])
        let error = try #require(target.error)
        #expect(error.code == 1044)
        #expect(error.name == "provision.outside_domain")
        #expect(error.message.contains("freelance.example"))
        #expect(error.message.contains(domains[0]))
        #expect(error.message.contains("allowGuest"))
        #expect(error.data?["domain"] == .string("freelance.example"))
        #expect(error.data?["emailDomains"] == .array(domains.map { .string($0) }))
        #expect(result.user.guest == true)
        #expect(!harness.simulator.requestLog().contains { $0.hasPrefix("POST") }, "no write was sent")
        #expect(!harness.simulator.state().users.contains { $0.email == "x@freelance.example" })
    }

    @Test("with allowGuest the outsider is invited and joins as a guest; the answer says so")
    func outsiderAllowed() async throws {
        let harness = try await ServiceHarness.start()
        defer { Task { await harness.stop() } }
        let result = try await harness.provisionOne(
            Provision.Params(workspace: harness.workspace, email: "x@freelance.example", action: .add, allowGuest: true), principal: "tester")
        #expect(result.targets.map(\.outcome) == [.invited])
        #expect(result.user.guest == true)
        let state = harness.simulator.state()
        let user = try #require(state.users.first { $0.email == "x@freelance.example" })
        let membership = try #require(state.workspaceMemberships.first { $0.user == user.gid && $0.workspace == harness.workspace })
        #expect(membership.isActive)
        #expect(membership.isGuest)
    }

    @Test("a dry run shows the person would be a guest: refused without allowGuest, invited with it; nothing is written")
    func dryRun() async throws {
        let harness = try await ServiceHarness.start()
        defer { Task { await harness.stop() } }
        harness.simulator.clearRequestLog()
        let refused = try await harness.provisionOne(
            Provision.Params(workspace: harness.workspace, email: "x@freelance.example", action: .add, allowGuest: nil, dryRun: true), principal: nil)
        #expect(refused.dryRun)
        #expect(refused.user.guest == true)
        #expect(refused.targets.map(\.outcome) == [.failed])
        #expect(refused.targets.first?.error?.name == "provision.outside_domain")
        let allowed = try await harness.provisionOne(
            Provision.Params(workspace: harness.workspace, email: "x@freelance.example", action: .add, allowGuest: true, dryRun: true), principal: nil)
        #expect(allowed.user.guest == true)
        #expect(allowed.targets.map(\.outcome) == [.invited])
        #expect(allowed.targets.first?.calls == [#"POST /workspaces/\#(harness.workspace)/addUser {"user":"x@freelance.example"}"#])
        #expect(!harness.simulator.requestLog().contains { $0.hasPrefix("POST") })
    }

    @Test("a company address needs no allowGuest (domains compared case-insensitively) and is not a guest")
    func insider() async throws {
        let harness = try await ServiceHarness.start()
        defer { Task { await harness.stop() } }
        let domain = harness.seed.workspaces[0].emailDomains[0].uppercased()
        let result = try await harness.provisionOne(
            Provision.Params(workspace: harness.workspace, email: "new.hire@\(domain)", action: .add, allowGuest: nil), principal: nil)
        #expect(result.targets.map(\.outcome) == [.invited])
        #expect(result.user.guest == false)
    }

    @Test("an existing guest is already a member: no refusal, and the answer carries Asana's guest flag")
    func existingGuest() async throws {
        let harness = try await ServiceHarness.start()
        defer { Task { await harness.stop() } }
        let state = harness.simulator.state()
        let guestMembership = try #require(state.workspaceMemberships.first { $0.isGuest && $0.isActive && $0.workspace == harness.workspace })
        let email = try #require(state.users.first { $0.gid == guestMembership.user }?.email)
        let result = try await harness.provisionOne(
            Provision.Params(workspace: harness.workspace, email: email, action: .add, allowGuest: nil), principal: nil)
        #expect(result.targets.map(\.outcome) == [.alreadyMember])
        #expect(result.user.guest == true)
    }

    @Test("a bulk call refuses only the outsider; the others are added")
    func bulk() async throws {
        let harness = try await ServiceHarness.start()
        defer { Task { await harness.stop() } }
        let domain = harness.seed.workspaces[0].emailDomains[0]
        let result = try await harness.provisionMany(
            Provision.Params(workspace: harness.workspace, users: [
                Provision.Request(email: "one@\(domain)", action: .add),
                Provision.Request(email: "two@\(domain).typo", action: .add),
            ]), principal: nil)
        #expect(result.results.map { $0.targets.map(\.outcome) } == [[.invited], [.failed]])
        #expect(result.results[1].targets.first?.error?.name == "provision.outside_domain")
    }

    @Test("a workspace that is not an organization has no email domains: anyone is added without allowGuest, and guest is absent")
    func notAnOrganization() async throws {
        let harness = try await ServiceHarness.start(adjustSeed: { seed in
            seed.workspaces[0].isOrganization = false
            seed.workspaces[0].emailDomains = []
            seed.teams = []
            seed.teamMemberships = []
        })
        defer { Task { await harness.stop() } }
        let result = try await harness.provisionOne(
            Provision.Params(workspace: harness.workspace, email: "x@freelance.example", action: .add, allowGuest: nil), principal: nil)
        #expect(result.targets.map(\.outcome) == [.invited])
        #expect(result.user.guest == nil)
    }
}
